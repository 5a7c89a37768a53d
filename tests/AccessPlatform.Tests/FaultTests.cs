using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AccessPlatform.Tests;

/// <summary>Nothing lost: the notification path with parts of the stack stopped while it runs.</summary>
[Collection(PlatformCollection.Name)]
public sealed partial class FaultTests(PlatformFixture platform)
{
    [Fact]
    public async Task With_rabbitmq_down_the_user_is_told_within_two_seconds_that_the_code_was_not_sent()
    {
        var user = await platform.CreateUserAsync("broker-down", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);
        var flowId = await ChallengeAsync(client, user);
        await StopAsync("messaging");
        try
        {
            var watch = Stopwatch.StartNew();
            var response = await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
            watch.Stop();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            // An upper bound as a correctness guard (a publish must not hang the request), not a speed benchmark: the
            // publish has a 1 s deadline it keeps even when the bus notices the cancellation late (CodeSender).
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"answered after {watch.Elapsed}");
            var problem = await response.ProblemAsync();
            Assert.Equal("https://access-platform/problems/code-not-sent", problem.GetProperty("type").GetString());
            // The worker reports it cannot reach the broker (readiness), while staying alive.
            using var worker = platform.ResourceClient("notifications-worker");
            var health = HttpStatusCode.OK;
            for (var i = 0; i < 30 && health == HttpStatusCode.OK; i++)
            {
                await Task.Delay(500);
                health = (await worker.GetAsync("/health")).StatusCode;
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health);
            Assert.Equal(HttpStatusCode.OK, (await worker.GetAsync("/alive")).StatusCode);
            // Nothing half-done: no code was issued, so no cooldown blocks the retry.
            var status = await client.PostAsJsonAsync("/api/auth/second-factor/status", new { flowId });
            Assert.Equal(JsonValueKind.Null, (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("channel").ValueKind);
        }
        finally
        {
            await StartAsync("messaging");
            await platform.WaitForServicesReadyAsync("login-api", "notifications-worker");
        }
        // Once the broker is back, the same challenge sends its code.
        HttpResponseMessage? retry = null;
        for (var attempt = 0; attempt < 60 && retry?.StatusCode != HttpStatusCode.Accepted; attempt++)
        {
            await Task.Delay(1000);
            retry = await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
        }
        Assert.Equal(HttpStatusCode.Accepted, retry!.StatusCode);
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == "Your sign-in code", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task With_rabbitmq_down_the_guess_that_locks_still_answers_401_and_the_lockout_email_arrives_once_it_is_back()
    {
        // Before the outbox, the fifth wrong password locked the account, recorded the audit row and then answered 503
        // "nothing was changed" because the lockout email could not be published — and the email was gone.
        var user = await platform.CreateUserAsync("broker-down-lock");
        using var client = platform.NewClient();
        await StopAsync("messaging");
        try
        {
            for (var i = 1; i <= 5; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, $"wrong-while-broker-down-{i}")).StatusCode);
            }
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
        }
        finally
        {
            await StartAsync("messaging");
            await platform.WaitForServicesReadyAsync("login-api", "notifications-worker");
        }
        var email = await platform.WaitForEmailAsync(user.Email, m => m.Subject == "Your account has been locked", TimeSpan.FromSeconds(90));
        Assert.Contains("/forgot-password", email.PlainText);
    }

    [Fact]
    public async Task Ops_replay_a_failed_sms_from_the_error_queue()
    {
        const string invalid = "+15005550001";
        var user = await platform.CreateUserAsync("replay", trustDevice: false, phone: invalid);
        using var client = platform.NewClient(newDevice: true);
        using var sink = platform.ResourceClient("twilio-sink");
        var before = (await sink.GetFromJsonAsync<ReceivedSms[]>("/api/messages", PlatformFixture.JsonOptions))!.Count(m => m.To == invalid);
        var flowId = await ChallengeAsync(client, user);
        await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "sms" });
        await platform.WaitForSmsAsync(invalid, m => m.Status == 400);
        // The fault reaches the error queue a moment after the provider's answer (longer on a busy machine): replay
        // until it has moved it (a replay of an empty queue moves nothing and changes nothing).
        using var worker = platform.ResourceClient("notifications-worker");
        var moved = 0;
        for (var i = 0; i < 40 && moved < 1; i++)
        {
            await Task.Delay(250);
            moved = (await (await worker.PostAsync("/internal/ops/replay-errors", null)).Content.ReadFromJsonAsync<Dictionary<string, int>>())!["send-sms"];
        }
        Assert.True(moved >= 1, "the failed SMS was moved back from send-sms_error");

        var after = 0;
        for (var i = 0; i < 40 && after < before + 2; i++)
        {
            await Task.Delay(250);
            after = (await sink.GetFromJsonAsync<ReceivedSms[]>("/api/messages", PlatformFixture.JsonOptions))!.Count(m => m.To == invalid);
        }
        Assert.True(after >= before + 2, "the replayed message reached the provider again");
    }

    private static async Task<string> ChallengeAsync(HttpClient client, TestUser user)
    {
        var body = await (await client.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("second-factor-required", body.GetProperty("status").GetString());
        return body.GetProperty("flowId").GetString()!;
    }

    private Task StopAsync(string resource) => platform.StopResourceAsync(resource);

    private Task StartAsync(string resource) => platform.StartResourceAsync(resource);

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
