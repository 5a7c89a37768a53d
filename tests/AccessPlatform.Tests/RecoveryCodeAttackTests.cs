using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>
/// Someone who knows the password guesses recovery codes instead of the second factor (ASVS 5.0 6.3.1, 6.5.x; NIST
/// 800-63B 5.2.2): every guess is claimed from the same second-factor counter as a wrong code, so 50-bit codes do not
/// open a second, unlimited door.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class RecoveryCodeAttackTests(PlatformFixture platform)
{
    [Fact]
    public async Task Guessing_recovery_codes_counts_toward_the_second_factor_lockout()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("guessrc", account: account);
        var codes = await platform.GenerateRecoveryCodesAsync(user);
        using var attacker = platform.NewClient(newDevice: true);

        // 3 guessed recovery codes and 2 wrong emailed codes over two logins: one counter, five guesses, locked.
        var flowId = await RecoveryCodeTestSupport.PendingFlowAsync(attacker, user);
        for (var i = 0; i < 3; i++)
        {
            var guess = await attacker.PostAsJsonAsync("/api/auth/second-factor/recovery-code", new { flowId, code = $"ZZZZZ-ZZZZ{i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
            await guess.ProblemAsync();
        }
        var second = await RecoveryCodeTestSupport.PendingFlowAsync(attacker, user);
        Assert.Equal(HttpStatusCode.Accepted, (await attacker.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId = second, channel = "email" })).StatusCode);
        var last = HttpStatusCode.OK;
        for (var i = 0; i < 2; i++)
        {
            last = (await attacker.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId = second, code = i == 0 ? "000000" : "999999" })).StatusCode;
        }
        Assert.Equal(HttpStatusCode.Gone, last); // the fifth guess locked the account and ended the flow

        // Locked: the password no longer leads to a second factor, so not even a real recovery code gets a try.
        var locked = await attacker.LoginAsync(user.Username, user.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal("https://access-platform/problems/invalid-credentials", (await locked.ProblemAsync()).GetProperty("type").GetString());
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == Resx.Text("en", "Email_SecondFactorLockout_Subject"));

        var manager = await platform.CreateUserAsync("guessrc-mgr", account: account, roles: ["AccountManager"]);
        using var admin = await platform.SignedInManagerAsync(manager);
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}");
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "login.second-factor-lockout");
        Assert.Equal(3, events!.Count(e => e.GetProperty("reason").GetString() == "wrong-recovery-code"));
        // The guesses spent nothing: all ten codes are still there.
        using var owner = platform.NewClient();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/users/{user.Id}/unlock", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.LoginAsync(user.Username, user.Password)).StatusCode);
        Assert.Equal(10, (await owner.GetFromJsonAsync<JsonElement>("/api/auth/recovery-codes")).GetProperty("remaining").GetInt32());
        Assert.Equal(10, codes.Length);
    }
}
