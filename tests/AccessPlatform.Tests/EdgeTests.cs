using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>
/// The edge in a real deployment (ASVS V4 / the security checklist's "The edge"): X-Forwarded-For is believed only
/// from the configured TLS terminator (the fixture's <see cref="PlatformFixture.TlsTerminator"/>) at the gateway, and
/// only from the gateway at the services; every /internal route needs the internal key.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class EdgeTests(PlatformFixture platform)
{
    private static readonly JsonSerializerOptions Json = PlatformFixture.JsonOptions;

    [Fact]
    public async Task Clients_behind_the_trusted_tls_terminator_get_their_own_failure_budgets_and_are_audited_at_their_own_addresses()
    {
        var victim = await platform.CreateUserAsync("xff");
        var (first, second) = (RandomDocumentationAddress(), $"198.51.100.{Random.Shared.Next(1, 255)}");
        using var terminator = platform.GatewayClient(PlatformFixture.TlsTerminator, cookies: false);

        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsFromAsync(terminator, first, victim.Username, "wrong-password-1")).StatusCode);
        for (var i = 1; i < PlatformFixture.IpFailureBudget; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsFromAsync(terminator, first, $"nobody-{Guid.NewGuid():N}", "wrong-password-1")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsFromAsync(terminator, first, victim.Username, "wrong-password-2")).StatusCode);

        // The next client behind the same terminator is not locked out by the first one's failures.
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsFromAsync(terminator, second, victim.Username, "wrong-password-3")).StatusCode);

        var addresses = (await LoginFailuresAsync(victim)).Select(e => e.GetProperty("ip").GetString()).ToArray();
        Assert.Contains(first, addresses);
        Assert.Contains(second, addresses);
        Assert.DoesNotContain(PlatformFixture.TlsTerminator.ToString(), addresses);
    }

    [Fact]
    public async Task A_spoofed_forwarded_for_from_an_untrusted_client_changes_neither_its_budget_nor_the_audit()
    {
        var victim = await platform.CreateUserAsync("spoof");
        var attacker = new IPAddress([127, 0, 6, 1]);
        using var client = platform.GatewayClient(attacker, cookies: false);

        // A new "address" per request, as a credential-stuffing script would pick.
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsFromAsync(client, RandomDocumentationAddress(), victim.Username, "wrong-password-1")).StatusCode);
        for (var i = 1; i < PlatformFixture.IpFailureBudget; i++)
        {
            await LoginAsFromAsync(client, RandomDocumentationAddress(), $"nobody-{Guid.NewGuid():N}", "wrong-password-1");
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsFromAsync(client, RandomDocumentationAddress(), victim.Username, "wrong-password-2")).StatusCode);

        var failure = Assert.Single(await LoginFailuresAsync(victim));
        Assert.Equal(attacker.ToString(), failure.GetProperty("ip").GetString());
    }

    [Fact]
    public async Task Behind_the_trusted_tls_terminator_the_gateway_rate_limit_counts_per_forwarded_client_and_per_ipv6_64()
    {
        using var terminator = platform.GatewayClient(PlatformFixture.TlsTerminator, cookies: false);
        // Two addresses of one IPv6 /64 (one subscriber) share a budget; the next /64 has its own.
        var network = $"2001:db8:{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";
        HttpResponseMessage? last = null;
        for (var i = 0; i < 41; i++)
        {
            last = await StatusFromAsync(terminator, $"{network}::{(i % 2 == 0 ? "a" : "b")}");
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.True(last.Headers.Contains("Retry-After"));

        Assert.Equal(HttpStatusCode.TooManyRequests, (await StatusFromAsync(terminator, $"{network}::c")).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await StatusFromAsync(terminator, $"{network[..^1]}{(network[^1] == '1' ? '2' : '1')}::a")).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await StatusFromAsync(terminator, RandomDocumentationAddress())).StatusCode);
    }

    [Fact]
    public async Task Spoofed_forwarded_for_headers_from_an_untrusted_client_all_share_its_one_gateway_rate_limit()
    {
        using var client = platform.GatewayClient(new IPAddress([127, 0, 6, 2]), cookies: false);
        HttpResponseMessage? last = null;
        for (var i = 0; i < 41; i++)
        {
            last = await StatusFromAsync(client, RandomDocumentationAddress());
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
    }

    [Fact]
    public async Task A_direct_call_to_login_api_with_a_forged_forwarded_for_is_audited_at_its_real_address()
    {
        var victim = await platform.CreateUserAsync("direct");
        var insider = new IPAddress([127, 0, 6, 3]);
        using var direct = platform.DirectServiceClient("login-api", insider);

        var response = await LoginAsFromAsync(direct, "198.51.100.77", victim.Username, "wrong-password-1");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var failure = Assert.Single(await LoginFailuresAsync(victim));
        Assert.Equal(insider.ToString(), failure.GetProperty("ip").GetString());
    }

    [Theory]
    [InlineData("login-api", "POST", "/internal/ops/notifications/test?channel=sms")]
    [InlineData("login-api", "POST", "/internal/ops/reset-database")]
    [InlineData("login-api", "POST", "/internal/testing/users")]
    [InlineData("login-api", "POST", "/internal/testing/clock")]
    [InlineData("login-api", "GET", "/internal/sso/accounts/testco")]
    [InlineData("notifications-worker", "POST", "/internal/ops/replay-errors")]
    public async Task Internal_routes_called_without_the_internal_key_or_with_a_wrong_one_answer_401(string resource, string method, string path)
    {
        using var withoutKey = platform.ResourceClient(resource, internalKey: false);
        using var missing = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { offsetSeconds = 86400 }) };
        var refused = await withoutKey.SendAsync(missing);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await refused.ProblemAsync();

        using var wrong = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { offsetSeconds = 86400 }) };
        wrong.Headers.Add(AccessPlatform.Contracts.InternalApi.KeyHeader, platform.InternalApiKey[..^1] + (platform.InternalApiKey[^1] == 'a' ? 'b' : 'a'));
        Assert.Equal(HttpStatusCode.Unauthorized, (await withoutKey.SendAsync(wrong)).StatusCode);
    }

    [Theory]
    [InlineData("sms", "+385911239999")]
    [InlineData("email", "victim@example.test")]
    public async Task The_ops_test_message_refuses_a_recipient_that_is_not_configured_for_ops(string channel, string victim)
    {
        using var loginApi = platform.ResourceClient("login-api");

        var response = await loginApi.PostAsync($"/internal/ops/notifications/test?channel={channel}&to={Uri.EscapeDataString(victim)}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.ProblemAsync();
        if (channel == "email")
        {
            Assert.True(await platform.NoEmailAsync(victim, "Access Platform test email", TimeSpan.FromSeconds(2)));
        }
        else
        {
            await Assert.ThrowsAsync<TimeoutException>(() => platform.WaitForSmsAsync(victim, within: TimeSpan.FromSeconds(2)));
        }
    }

    private static Task<HttpResponseMessage> LoginAsFromAsync(HttpClient client, string forwardedFor, string username, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { username, password }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }

    /// <summary>An authentication POST that spends the gateway's auth budget but not Login.Api's failure budget.</summary>
    private static Task<HttpResponseMessage> StatusFromAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/second-factor/status") { Content = JsonContent.Create(new { flowId = "none" }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }

    private async Task<JsonElement[]> LoginFailuresAsync(TestUser user)
    {
        var manager = await platform.CreateUserAsync("edge-mgr", roles: ["AccountManager", "User"]);
        using var admin = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.LoginAsync(manager.Username, manager.Password)).StatusCode);
        return (await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=login.failed", Json))!;
    }

    /// <summary>An address of TEST-NET-3 (RFC 5737), never a real client.</summary>
    private static string RandomDocumentationAddress() => $"203.0.113.{Random.Shared.Next(1, 255)}";
}
