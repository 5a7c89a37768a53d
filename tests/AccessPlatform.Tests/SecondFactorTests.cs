using System.Text.Json;
using System.Text.RegularExpressions;

namespace AccessPlatform.Tests;

/// <summary>Two-factor authentication on new devices (ASVS 5.0 V6.5, V6.6, 6.3.4).</summary>
[Collection(PlatformCollection.Name)]
public sealed partial class SecondFactorTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_new_device_needs_the_emailed_code_and_is_trusted_afterwards()
    {
        var user = await platform.CreateUserAsync("newdev", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);

        var flowId = await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["email"]);
        var sent = await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var destination = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("destination").GetString()!;
        Assert.Matches(@"^\w\*\*\*@example\.test$", destination);

        var code = await EmailedCodeAsync(user);
        var verified = await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Contains(verified.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ap_device_") && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/session")).StatusCode);

        var notice = await platform.WaitForEmailAsync(user.Email, m => m.Subject == "New sign-in to your account");
        Assert.Contains("Device:", notice.PlainText);

        // Same browser, same user: no code this time.
        var again = await client.LoginAsync(user.Username, user.Password);
        Assert.Equal("signed-in", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_sms_code_from_the_twilio_endpoint_completes_the_login()
    {
        var user = await platform.CreateUserAsync("sms", trustDevice: false, phone: "+385911230077");
        using var client = platform.NewClient(newDevice: true);
        var flowId = await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["sms"]);

        var sent = await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "sms" });
        Assert.Equal("+385 9* *** **77", (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("destination").GetString());
        var sms = await platform.WaitForSmsAsync("+385911230077");
        var code = SixDigits().Match(sms.Body!).Value;
        Assert.True(sms.Body!.Length <= 160);
        // WebOTP / origin-bound code format: the last line binds the code to the public origin's host (no port).
        Assert.Equal($"@localhost #{code}", sms.Body.Split('\n')[^1]);

        var verified = await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var status = await client.PostAsJsonAsync("/api/auth/second-factor/status", new { flowId });
        Assert.Equal(HttpStatusCode.Gone, status.StatusCode);
    }

    [Fact]
    public async Task Another_device_and_another_user_on_the_same_device_are_both_asked()
    {
        var alice = await platform.CreateUserAsync("alice", trustDevice: false);
        var bob = await platform.CreateUserAsync("bob", trustDevice: false);
        using var browser = platform.NewClient(newDevice: true);
        await SignInWithEmailCodeAsync(browser, alice);

        using var otherDevice = platform.NewClient(newDevice: true);
        await ExpectChallengeAsync(await otherDevice.LoginAsync(alice.Username, alice.Password), ["email"]);
        await ExpectChallengeAsync(await browser.LoginAsync(bob.Username, bob.Password), ["email"]);
    }

    [Fact]
    public async Task A_used_code_cannot_be_used_again()
    {
        var user = await platform.CreateUserAsync("reuse", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);
        var flowId = await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["email"]);
        await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
        var code = await EmailedCodeAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);

        using var attacker = platform.NewClient(newDevice: true);
        var replay = await attacker.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code });
        Assert.Equal(HttpStatusCode.Gone, replay.StatusCode);
        await replay.ProblemAsync();
    }

    [Fact]
    public async Task Five_wrong_codes_end_the_challenge_even_for_the_right_code_afterwards()
    {
        var user = await platform.CreateUserAsync("wrong5", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);
        var flowId = await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["email"]);
        await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
        var code = await EmailedCodeAsync(user);
        var wrong = code == "000000" ? "111111" : "000000";

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code = wrong })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Gone, (await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code = wrong })).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);
    }

    [Fact]
    public async Task The_code_of_another_challenge_is_refused()
    {
        var user = await platform.CreateUserAsync("cross", trustDevice: false);
        using var first = platform.NewClient(newDevice: true);
        using var second = platform.NewClient(newDevice: true);
        var firstFlow = await ExpectChallengeAsync(await first.LoginAsync(user.Username, user.Password), ["email"]);
        var secondFlow = await ExpectChallengeAsync(await second.LoginAsync(user.Username, user.Password), ["email"]);
        await first.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId = firstFlow, channel = "email" });
        var code = await EmailedCodeAsync(user);
        await second.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId = secondFlow, channel = "email" });

        var crossed = await second.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId = secondFlow, code });
        Assert.Equal(HttpStatusCode.Unauthorized, crossed.StatusCode);
    }

    [Fact]
    public async Task A_code_older_than_ten_minutes_is_refused()
    {
        var user = await platform.CreateUserAsync("expired", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);
        try
        {
            var flowId = await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["email"]);
            await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
            var code = await EmailedCodeAsync(user);
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(10.5));
            Assert.Equal(HttpStatusCode.Gone, (await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_new_code_waits_thirty_seconds_and_at_most_five_codes_go_out_per_hour()
    {
        var user = await platform.CreateUserAsync("cap", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);
        try
        {
            var flowId = await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["email"]);
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" })).StatusCode);
            var tooSoon = await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
            Assert.Equal(HttpStatusCode.TooManyRequests, tooSoon.StatusCode);
            Assert.NotNull(tooSoon.Headers.RetryAfter);

            for (var i = 1; i <= 4; i++)
            {
                await platform.SetClockOffsetAsync(TimeSpan.FromSeconds(31 * i));
                Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" })).StatusCode);
            }
            await platform.SetClockOffsetAsync(TimeSpan.FromSeconds(31 * 5));
            var capped = await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
            Assert.Equal(HttpStatusCode.TooManyRequests, capped.StatusCode);
            Assert.Equal("Too many codes were requested. Please try again later.", (await capped.ProblemAsync()).GetProperty("title").GetString());
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_revoked_device_is_asked_again()
    {
        var user = await platform.CreateUserAsync("revoke", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);
        await SignInWithEmailCodeAsync(client, user);

        var devices = await client.GetFromJsonAsync<JsonElement[]>("/api/auth/devices");
        var device = Assert.Single(devices!);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/auth/devices/{device.GetProperty("id").GetString()}")).StatusCode);

        await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["email"]);
    }

    [Fact]
    public async Task An_sms_the_provider_refuses_twice_with_500_is_delivered_once_not_three_times()
    {
        const string number = "+385911230099";
        var user = await platform.CreateUserAsync("retry", trustDevice: false, phone: number);
        using var sink = platform.ResourceClient("twilio-sink");
        (await sink.PostAsJsonAsync("/api/faults", new { status = 500, code = 20500, remaining = 2, to = number })).EnsureSuccessStatusCode();

        using var client = platform.NewClient(newDevice: true);
        var flowId = await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["sms"]);
        await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "sms" });
        await platform.WaitForSmsAsync(number, m => m.Status == 201);
        await Task.Delay(1500);

        var all = (await sink.GetFromJsonAsync<ReceivedSms[]>("/api/messages", PlatformFixture.JsonOptions))!.Where(m => m.To == number).ToArray();
        Assert.Equal([500, 500, 201], all.Select(m => m.Status));
        // The challenge page learns that the code went out.
        var status = await client.PostAsJsonAsync("/api/auth/second-factor/status", new { flowId });
        Assert.Equal("sent", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delivery").GetString());
    }

    [Fact]
    public async Task An_sms_to_an_invalid_number_is_not_retried_and_the_user_is_told()
    {
        const string invalid = "+15005550001"; // Twilio's "invalid number"
        var user = await platform.CreateUserAsync("invalid", trustDevice: false, phone: invalid);
        using var client = platform.NewClient(newDevice: true);
        var flowId = await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["sms"]);
        await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "sms" });

        string delivery = "";
        for (var i = 0; i < 40 && delivery != "failed"; i++)
        {
            await Task.Delay(250);
            var status = await client.PostAsJsonAsync("/api/auth/second-factor/status", new { flowId });
            delivery = (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delivery").GetString()!;
        }
        Assert.Equal("failed", delivery);
        using var sink = platform.ResourceClient("twilio-sink");
        var attempts = (await sink.GetFromJsonAsync<ReceivedSms[]>("/api/messages", PlatformFixture.JsonOptions))!.Count(m => m.To == invalid);
        Assert.Equal(1, attempts);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"flowId\":\"x\"}")]
    [InlineData("{\"flowId\":\"nonsense-flow-id-that-is-long-enough-to-look-real-000\",\"code\":\"123456\"}")]
    public async Task Bad_verify_requests_get_problem_details(string body)
    {
        using var client = platform.NewClient(newDevice: true);
        var response = await client.PostAsync("/api/auth/second-factor/verify", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Gone, response.StatusCode.ToString());
        await response.ProblemAsync();
    }

    private async Task SignInWithEmailCodeAsync(HttpClient client, TestUser user)
    {
        var flowId = await ExpectChallengeAsync(await client.LoginAsync(user.Username, user.Password), ["email"]);
        await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
        var code = await EmailedCodeAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);
    }

    private static async Task<string> ExpectChallengeAsync(HttpResponseMessage response, string[] channels)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("second-factor-required", body.GetProperty("status").GetString());
        Assert.Equal(channels, body.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()));
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ap_session=")));
        return body.GetProperty("flowId").GetString()!;
    }

    private async Task<string> EmailedCodeAsync(TestUser user)
    {
        var email = await platform.WaitForEmailAsync(user.Email, m => m.Subject == "Your sign-in code");
        await DeleteAsync(email.Id);
        return SixDigits().Match(email.PlainText).Value;
    }

    /// <summary>Each code email is read once, so a later wait sees only the next code.</summary>
    private async Task DeleteAsync(string id)
    {
        using var mail = platform.ResourceClient("mail");
        await mail.DeleteAsync($"/api/messages/{id}");
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
