namespace AccessPlatform.Tests;

/// <summary>The per-address failure budget against credential stuffing (ASVS 5.0 6.3.1), attacked in parallel.</summary>
[Collection(PlatformCollection.Name)]
public sealed class IpBudgetAttackTests(PlatformFixture platform)
{
    [Fact]
    public async Task Fifty_parallel_wrong_logins_from_one_address_spend_exactly_the_budget()
    {
        using var attacker = platform.NewClient(cookies: false);
        var responses = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => attacker.LoginAsync($"stuffed-{i}-{Guid.NewGuid():N}"[..24], "Winter2026!!")));

        // Checked and refused as wrong: exactly the budget; everything else refused before a hash (429, here or at the gateway).
        Assert.Equal(PlatformFixture.IpFailureBudget, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Unauthorized), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
    }

    [Fact]
    public async Task Hopping_between_addresses_of_one_ipv6_64_does_not_buy_a_new_failure_budget()
    {
        // Behind the trusted TLS terminator, so the clients' IPv6 addresses reach the platform.
        using var terminator = platform.GatewayClient(PlatformFixture.TlsTerminator, cookies: false);
        var (a, b) = (Random.Shared.Next(1, 0xffff), Random.Shared.Next(1, 0xfffe));
        var network = $"2001:db8:{a:x}:{b:x}";
        for (var i = 0; i < PlatformFixture.IpFailureBudget; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginFromAsync(terminator, $"{network}::{i + 1:x}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginFromAsync(terminator, $"{network}::ffff")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginFromAsync(terminator, $"2001:db8:{a:x}:{b + 1:x}::1")).StatusCode); // the next /64
    }

    private static Task<HttpResponseMessage> LoginFromAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { username = $"hop-{Guid.NewGuid():N}"[..20], password = "Spring2026!!" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }
}
