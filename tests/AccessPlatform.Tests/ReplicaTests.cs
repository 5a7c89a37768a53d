using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AccessPlatform.Tests;

/// <summary>
/// Two instances of every service (issue 14): whatever one instance starts, the other finishes, and a limit or a
/// lockout counts across both. Each test calls the instances directly (past DCP's proxy), so it does not depend on
/// which instance the proxy happens to pick.
/// </summary>
[Collection(ReplicaCollection.Name)]
public sealed partial class ReplicaTests(ReplicaPlatformFixture platform)
{
    private static int nextAddress;

    /// <summary>A client address no other test of this collection uses (10.20.x.y, told to the services as the gateway would).</summary>
    private static string NextClientAddress()
    {
        var n = Interlocked.Increment(ref nextAddress);
        return $"10.20.{n / 250}.{1 + n % 250}";
    }

    [Fact]
    public async Task A_login_form_rendered_by_one_login_api_replica_posts_successfully_to_the_other()
    {
        var user = await platform.CreateUserAsync("replica-form");
        var (a, b) = await TwoAsync("login-api");
        var cookies = new CookieContainer();
        var client = NextClientAddress();
        using var first = ReplicaPlatformFixture.InstanceClient(a, client, cookies);
        using var second = ReplicaPlatformFixture.InstanceClient(b, client, cookies);
        cookies.Add(b, new Cookie("ap_device", platform.TrustedDeviceId, "/"));

        var page = await first.GetStringAsync("/login");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        Assert.NotEmpty(token);
        // The antiforgery cookie came from the first instance; both are sent to the second.
        var posted = await second.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Username"] = user.Username, ["Password"] = user.Password, ["ReturnUrl"] = "/",
        }));

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("/", posted.Headers.Location!.OriginalString);
        Assert.Contains(posted.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ap_session=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_session_made_on_one_replica_is_valid_on_the_other_and_ends_on_both()
    {
        var user = await platform.CreateUserAsync("replica-session");
        var (a, b) = await TwoAsync("login-api");
        var cookies = new CookieContainer();
        var client = NextClientAddress();
        using var first = ReplicaPlatformFixture.InstanceClient(a, client, cookies);
        using var second = ReplicaPlatformFixture.InstanceClient(b, client, cookies);
        cookies.Add(a, new Cookie("ap_device", platform.TrustedDeviceId, "/"));

        Assert.Equal(HttpStatusCode.OK, (await first.LoginAsync(user.Username, user.Password)).StatusCode);
        var issued = SessionCookie(cookies, a);
        var session = await second.GetFromJsonAsync<JsonElement>("/api/auth/session");
        Assert.Equal(user.Username, session.GetProperty("username").GetString());

        Assert.True((await second.PostAsync("/api/auth/logout", null)).IsSuccessStatusCode);
        // The cookie the first instance issued is dead there too.
        using var stale = ReplicaPlatformFixture.InstanceClient(a, client);
        stale.DefaultRequestHeaders.Add("Cookie", $"ap_session={issued}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stale.GetAsync("/api/auth/session")).StatusCode);
    }

    [Fact]
    public async Task Fifty_parallel_wrong_passwords_spread_over_both_replicas_lock_at_exactly_the_threshold()
    {
        var user = await platform.CreateUserAsync("replica-lock");
        var manager = await platform.CreateUserAsync("replica-mgr", roles: ["AccountManager", "User"]);
        var (a, b) = await TwoAsync("login-api");
        var clients = Enumerable.Range(0, 50).Select(i => ReplicaPlatformFixture.InstanceClient(i % 2 == 0 ? a : b, NextClientAddress())).ToArray();
        try
        {
            var responses = await Task.WhenAll(clients.Select((c, i) => c.LoginAsync(user.Username, $"replica-wrong-{i}")));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));

            var cookies = new CookieContainer();
            using var admin = ReplicaPlatformFixture.InstanceClient(a, NextClientAddress(), cookies);
            cookies.Add(a, new Cookie("ap_device", platform.TrustedDeviceId, "/"));
            Assert.Equal(HttpStatusCode.OK, (await admin.LoginAsync(manager.Username, manager.Password)).StatusCode);
            var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&limit=200");
            Assert.Equal(5, events!.Count(e => e.GetProperty("type").GetString() == "login.failed" && e.GetProperty("reason").GetString() == "bad-password"));
            Assert.Equal(45, events!.Count(e => e.GetProperty("type").GetString() == "login.failed" && e.GetProperty("reason").GetString() == "locked"));
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_second_factor_challenge_started_on_one_replica_completes_on_the_other()
    {
        var user = await platform.CreateUserAsync("replica-2fa", trustDevice: false);
        var (a, b) = await TwoAsync("login-api");
        var cookies = new CookieContainer();
        var client = NextClientAddress();
        using var first = ReplicaPlatformFixture.InstanceClient(a, client, cookies);
        using var second = ReplicaPlatformFixture.InstanceClient(b, client, cookies);

        var started = await (await first.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("second-factor-required", started.GetProperty("status").GetString());
        var flowId = started.GetProperty("flowId").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await second.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" })).StatusCode);
        var code = SixDigits().Match((await platform.TakeEmailAsync(user.Email, "Your sign-in code")).PlainText).Value;

        var verified = await first.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var session = await second.GetFromJsonAsync<JsonElement>("/api/auth/session");
        Assert.Equal(user.Username, session.GetProperty("username").GetString());
    }

    [Fact]
    public async Task Two_gateways_share_the_per_ip_limit()
    {
        // The test stack allows 40 authentication posts a minute per client (PlatformFixture); 20 through each
        // gateway spend it all, so the next one is refused by whichever gateway gets it.
        var source = new IPAddress([127, 3, 0, 9]);
        using var one = platform.GatewayClient(source, cookies: false);
        using var two = platform.GatewayClient(source, cookies: false);
        two.BaseAddress = platform.SecondGatewayAddress;
        for (var i = 0; i < 20; i++)
        {
            foreach (var gateway in new[] { one, two })
            {
                var allowed = await gateway.PostAsJsonAsync("/api/auth/login", new { });
                Assert.NotEqual(HttpStatusCode.TooManyRequests, allowed.StatusCode);
            }
        }
        foreach (var gateway in new[] { one, two })
        {
            var refused = await gateway.PostAsJsonAsync("/api/auth/login", new { });
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Stopping_one_worker_replica_mid_stream_loses_no_message()
    {
        var workers = await platform.InstancesAsync("notifications-worker");
        var users = new List<TestUser>();
        for (var i = 0; i < 30; i++)
        {
            users.Add(await platform.CreateUserAsync($"replica-mail{i}"));
        }
        var commands = platform.App.Services.GetRequiredService<ResourceCommandService>();
        try
        {
            var requests = new List<Task<HttpResponseMessage>>();
            foreach (var (user, i) in users.Select((u, i) => (u, i)))
            {
                if (i == users.Count / 3)
                {
                    // A third is queued: one worker is killed (no graceful stop) while the rest is published and consumed.
                    System.Diagnostics.Process.GetProcessById(await platform.ProcessIdAsync(workers[0].Id)).Kill(entireProcessTree: true);
                }
                var client = platform.NewClient(cookies: false);
                requests.Add(client.PostAsJsonAsync("/api/auth/password/forgot", new { usernameOrEmail = user.Username }));
            }
            Assert.All(await Task.WhenAll(requests), r => Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString()));
            foreach (var user in users)
            {
                await platform.WaitForEmailAsync(user.Email, within: TimeSpan.FromSeconds(60));
            }
        }
        finally
        {
            // Back to two workers for whatever runs next (best effort: DCP may still be noticing the exit).
            for (var attempt = 0; attempt < 10 && !(await commands.ExecuteCommandAsync(workers[0].Id, KnownResourceCommands.StartCommand)).Success; attempt++)
            {
                await Task.Delay(1000);
            }
        }
    }

    private async Task<(Uri A, Uri B)> TwoAsync(string resource)
    {
        var instances = await platform.InstancesAsync(resource);
        Assert.Equal(2, instances.Count);
        Assert.NotEqual(instances[0].Address, instances[1].Address);
        return (instances[0].Address, instances[1].Address);
    }

    private static string SessionCookie(CookieContainer cookies, Uri at) =>
        cookies.GetCookies(at)["ap_session"]?.Value ?? throw new InvalidOperationException("No session cookie.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
