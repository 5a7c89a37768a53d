using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>
/// Lockout that an attacker cannot outlast and the rightful user does not trip over (ASVS 5.0 6.3.1; NIST 800-63B
/// 5.2.2: at most 100 consecutive failures).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class LockoutAttackTests(PlatformFixture platform)
{
    private static string LockoutSubject => Resx.Text("en", "Email_Lockout_Subject");

    [Fact]
    public async Task Guessing_again_after_each_lock_meets_locks_twice_as_long_and_the_user_is_emailed_once()
    {
        var user = await platform.CreateUserAsync("escalate");
        try
        {
            await WrongPasswordsAsync(user, 5);
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(16)); // the first lock (15 min) is over
            await WrongPasswordsAsync(user, 5);

            // 20 minutes into the second lock: a plain 15-minute lock would be over, the doubled one is not.
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(16 + 20));
            using var client = platform.NewClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(16 + 31));
            Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);

            await platform.WaitForEmailAsync(user.Email, m => m.Subject == LockoutSubject);
            await Task.Delay(1000);
            Assert.Equal(1, await CountEmailsAsync(user.Email, LockoutSubject));
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_hundred_consecutive_failures_lock_the_account_until_an_account_manager_unlocks_it()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("hundred", account: account);
        var manager = await platform.CreateUserAsync("hmgr", account: account, roles: ["AccountManager"]);
        try
        {
            for (var period = 1; period <= 20; period++)
            {
                await WrongPasswordsAsync(user, 5);
                await platform.SetClockOffsetAsync(TimeSpan.FromHours(25 * period)); // each lock is at most 24 h
            }
            using var client = platform.NewClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
            await platform.SetClockOffsetAsync(TimeSpan.FromDays(400));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, user.Password)).StatusCode);

            // Back to today (the manager's test device trust is dated today): still locked, until the unlock.
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
            using var admin = await platform.SignedInManagerAsync(manager);
            var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=login.locked_out");
            Assert.Contains(events!, e => e.GetProperty("reason").GetString() == "until-reset");
            Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/users/{user.Id}/unlock", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task Twenty_parallel_right_password_logins_of_one_user_all_succeed_even_beside_wrong_guesses(int wrongGuesses)
    {
        var user = await platform.CreateUserAsync("parallel");
        var clients = Enumerable.Range(0, 20 + wrongGuesses).Select(_ => platform.NewClient()).ToArray();
        try
        {
            var logins = clients.Select((c, i) => c.LoginAsync(user.Username, i < 20 ? user.Password : $"wrong-{i}")).ToArray();
            var responses = await Task.WhenAll(logins);
            Assert.All(responses[..20], r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.All(responses[20..], r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    private async Task WrongPasswordsAsync(TestUser user, int count)
    {
        using var attacker = platform.NewClient(cookies: false);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.LoginAsync(user.Username, $"wrong-{Guid.NewGuid():N}")).StatusCode);
        }
    }

    private async Task<int> CountEmailsAsync(string recipient, string subject)
    {
        using var mail = platform.ResourceClient("mail");
        var page = await mail.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=500");
        return page.GetProperty("results").EnumerateArray().Count(m =>
            m.GetProperty("subject").GetString() == subject
            && m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetString(), recipient, StringComparison.OrdinalIgnoreCase)));
    }
}
