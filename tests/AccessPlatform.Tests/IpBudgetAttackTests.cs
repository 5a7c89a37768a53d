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
}
