using System.Text.Json;
using System.Text.RegularExpressions;
using OtpNet;

namespace AccessPlatform.Tests;

/// <summary>
/// Attacks of someone who knows the user's password on the second factor (ASVS 5.0 6.3.1, 6.4.3, 6.5.x, 6.6; NIST
/// 800-63B 5.1.3.1, 5.2.2), performed through the gateway.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class SecondFactorAttackTests(PlatformFixture platform)
{
    private static string LockoutSubject => Resx.Text("en", "Email_SecondFactorLockout_Subject");

    [Fact]
    public async Task Guessing_emailed_codes_across_fresh_logins_locks_the_account_tells_the_user_and_is_audited()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("guess", trustDevice: false, account: account);
        using var attacker = platform.NewClient(newDevice: true);

        // 2 + 2 + 1 wrong codes over three logins with the right password: the counter is the user's, not the login's.
        foreach (var guesses in new[] { 2, 2, 1 })
        {
            var flowId = await StartAsync(attacker, user, "email");
            var code = await EmailedCodeAsync(user);
            for (var i = 0; i < guesses; i++)
            {
                var answer = await attacker.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code = Wrong(code) });
                Assert.True(answer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Gone, answer.StatusCode.ToString());
                await answer.ProblemAsync();
            }
        }

        var locked = await attacker.LoginAsync(user.Username, user.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal("https://access-platform/problems/invalid-credentials", (await locked.ProblemAsync()).GetProperty("type").GetString());
        var mail = await platform.WaitForEmailAsync(user.Email, m => m.Subject == LockoutSubject);
        Assert.Contains("knows your password", mail.PlainText);
        await AssertAuditedAsync(account, user, "login.second-factor-lockout");
    }

    [Fact]
    public async Task Guessing_authenticator_codes_across_fresh_logins_locks_the_account()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("guesstotp", account: account);
        var totp = await EnrolAuthenticatorAsync(user);
        using var attacker = platform.NewClient(newDevice: true);

        foreach (var guesses in new[] { 3, 2 })
        {
            var flowId = await StartAsync(attacker, user, "totp");
            for (var i = 0; i < guesses; i++)
            {
                await attacker.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code = WrongTotp(totp) });
            }
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.LoginAsync(user.Username, user.Password)).StatusCode);
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == LockoutSubject);
        await AssertAuditedAsync(account, user, "login.second-factor-lockout");
    }

    [Fact]
    public async Task A_passed_second_factor_clears_the_code_counter_so_the_rightful_user_is_not_locked_later()
    {
        var user = await platform.CreateUserAsync("clears", trustDevice: false);
        using var attacker = platform.NewClient(newDevice: true);
        var flowId = await StartAsync(attacker, user, "email");
        var code = await EmailedCodeAsync(user);
        for (var i = 0; i < 4; i++)
        {
            await attacker.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code = Wrong(code) });
        }
        // The user passes the second factor: the counter starts again, so four more wrong codes do not lock.
        Assert.Equal(HttpStatusCode.OK, (await attacker.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);
        using var other = platform.NewClient(newDevice: true);
        var again = await StartAsync(other, user, "email");
        var next = await EmailedCodeAsync(user);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await other.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId = again, code = Wrong(next) })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId = again, code = next })).StatusCode);
    }

    [Fact]
    public async Task Starting_an_eleventh_challenge_in_an_hour_is_refused_for_the_authenticator_too()
    {
        var user = await platform.CreateUserAsync("cap11", trustDevice: false);
        await EnrolAuthenticatorAsync(user, trustedClient: false);
        using var attacker = platform.NewClient(newDevice: true);
        for (var i = 0; i < 9; i++) // the enrolment's own sign-in was the first challenge
        {
            Assert.Equal("second-factor-required", await attacker.LoginStatusAsync(user.Username, user.Password));
        }
        var refused = await attacker.LoginAsync(user.Username, user.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("https://access-platform/problems/too-many-challenges", (await refused.ProblemAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_mailbox_owner_cannot_downgrade_an_authenticator_to_email_even_after_a_reset_unless_the_account_allows_fallback()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("downgrade", account: account, phone: "+385911230111");
        await EnrolAuthenticatorAsync(user);

        // The attacker controls the mailbox: reset link, new password, new device.
        using var attacker = platform.NewClient(newDevice: true);
        await attacker.ForgotAsync(user.Username);
        var password = PasswordResetTestSupport.StrongPassword();
        Assert.True((await attacker.ResetAsync(await platform.TakeLinkTokenAsync(user.Email), password)).IsSuccessStatusCode);
        var login = await (await attacker.LoginAsync(user.Username, password)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["totp"], Channels(login));
        var flowId = login.GetProperty("flowId").GetString()!;
        var email = await attacker.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "email" });
        Assert.Equal(HttpStatusCode.BadRequest, email.StatusCode);
        await email.ProblemAsync();
        Assert.True(await platform.NoEmailAsync(user.Email, "Your sign-in code", TimeSpan.FromSeconds(2)));
        using var status = await attacker.PostAsJsonAsync("/api/auth/second-factor/status", new { flowId });
        Assert.Equal(["totp"], Channels(await status.Content.ReadFromJsonAsync<JsonElement>()));

        // The Account Manager allows fallback: SMS and email come back (and the change is audited).
        var manager = await platform.CreateUserAsync("fbmgr", account: account, roles: ["AccountManager"]);
        using var admin = await platform.SignedInManagerAsync(manager);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/admin/account/policies", new { secondFactorFallback = true })).StatusCode);
        var withFallback = await (await attacker.LoginAsync(user.Username, password)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["totp", "sms", "email"], Channels(withFallback));
        var audit = await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/audit?type=admin.account_policy_changed");
        Assert.Contains(audit!, e => e.GetProperty("reason").GetString() == "second-factor-fallback:on");

        var bad = await admin.PutAsJsonAsync("/api/admin/account/policies", new { secondFactorFallback = "yes" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        await bad.ProblemAsync();
    }

    [Fact]
    public async Task A_user_with_a_phone_is_offered_sms_only_not_the_weaker_email()
    {
        var user = await platform.CreateUserAsync("smsonly", trustDevice: false, phone: "+385911230112");
        using var client = platform.NewClient(newDevice: true);
        var login = await (await client.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["sms"], Channels(login));
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("no-web-access")]
    [InlineData("password-reset")]
    [InlineData("sso-enforced")]
    public async Task A_pending_challenge_cannot_be_completed_after_the_user_changed(string change)
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("changed", trustDevice: false, account: account);
        var manager = await platform.CreateUserAsync("chmgr", account: account, roles: ["AccountManager"]);
        using var client = platform.NewClient(newDevice: true);
        var flowId = await StartAsync(client, user, "email");
        var code = await EmailedCodeAsync(user);

        using var admin = await platform.SignedInManagerAsync(manager);
        switch (change)
        {
            case "disabled":
                Assert.True((await admin.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { status = "disabled" })).IsSuccessStatusCode);
                break;
            case "no-web-access":
                Assert.True((await admin.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { webAccess = false })).IsSuccessStatusCode);
                break;
            case "password-reset":
                await platform.ChangePasswordDirectlyAsync(user.Id, PasswordResetTestSupport.StrongPassword());
                break;
            default:
                await platform.EnforceSsoAsync(account);
                break;
        }

        var verify = await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code });
        Assert.Equal(HttpStatusCode.Gone, verify.StatusCode);
        Assert.Equal("https://access-platform/problems/challenge-gone", (await verify.ProblemAsync()).GetProperty("type").GetString());
        Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync("/api/auth/session")).StatusCode);
    }

    [Fact]
    public async Task Trust_cookies_one_user_of_a_shared_browser_sees_do_not_skip_another_users_second_factor()
    {
        var anna = await platform.CreateUserAsync("anna", trustDevice: false);
        var ben = await platform.CreateUserAsync("ben", trustDevice: false);
        using var shared = platform.NewClient(newDevice: true);
        var annasCookies = await SignInCapturingTrustAsync(shared, anna);
        await SignInCapturingTrustAsync(shared, ben);

        // Anna takes the trust values her own sign-in gave her to another browser, with Ben's password.
        using var elsewhere = platform.NewClient(cookies: false);
        elsewhere.DefaultRequestHeaders.Add("Cookie", string.Join("; ", annasCookies.Select(c => $"{c.Name}={c.Value}")));
        Assert.Equal("second-factor-required", await elsewhere.LoginStatusAsync(ben.Username, ben.Password));
        // The values do work for Anna herself: the check above is not vacuous.
        Assert.Equal("signed-in", await elsewhere.LoginStatusAsync(anna.Username, anna.Password));
        // And on the shared browser each user's trust stands.
        Assert.Equal("signed-in", await shared.LoginStatusAsync(ben.Username, ben.Password));
    }

    [Fact]
    public async Task Trust_ends_ninety_days_after_the_second_factor_even_when_the_device_is_used_daily()
    {
        var user = await platform.CreateUserAsync("trust90", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);
        await platform.SignInAsync(client, user.Username, user.Password, user.Email);
        try
        {
            foreach (var day in new[] { 1, 30, 60, 89 })
            {
                await platform.SetClockOffsetAsync(TimeSpan.FromDays(day));
                Assert.Equal("signed-in", await client.LoginStatusAsync(user.Username, user.Password));
            }
            await platform.SetClockOffsetAsync(TimeSpan.FromDays(90.1));
            Assert.Equal("second-factor-required", await client.LoginStatusAsync(user.Username, user.Password));
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Theory]
    [InlineData("/api/auth/second-factor/verify", "{\"flowId\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"code\":\"12345678901234567\"}", 400)]
    [InlineData("/api/auth/second-factor/verify", "{\"flowId\":12,\"code\":\"123456\"}", 400)]
    [InlineData("/api/auth/second-factor/send", "{\"flowId\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"channel\":\"emailemailemailemail\"}", 400)]
    [InlineData("/api/auth/second-factor/send", "{\"flowId\":\"../../etc/passwd\",\"channel\":\"email\"}", 410)]
    [InlineData("/api/auth/second-factor/status", "{\"flowId\":null}", 410)]
    [InlineData("/api/auth/second-factor/status", "[1,2,3]", 400)]
    public async Task Malformed_oversized_and_unknown_flow_requests_get_problem_details(string path, string body, int status)
    {
        using var client = platform.NewClient(newDevice: true);
        var response = await client.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(status, (int)response.StatusCode);
        await response.ProblemAsync();
    }

    [Fact]
    public async Task A_flow_id_used_from_another_client_is_gone_and_leaves_the_real_flow_usable()
    {
        var user = await platform.CreateUserAsync("foreign", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);
        var flowId = await StartAsync(client, user, "email");
        var code = await EmailedCodeAsync(user);

        using var thief = platform.NewClient(newDevice: true);
        Assert.Equal(HttpStatusCode.Gone, (await thief.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await thief.PostAsJsonAsync("/api/auth/second-factor/status", new { flowId })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);
    }

    private async Task<List<(string Name, string Value)>> SignInCapturingTrustAsync(HttpClient client, TestUser user)
    {
        var flowId = await StartAsync(client, user, "email");
        var code = await EmailedCodeAsync(user);
        var verified = await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        return [.. verified.Headers.GetValues("Set-Cookie")
            .Where(c => c.StartsWith("ap_device"))
            .Select(c => c.Split(';')[0].Split('=', 2))
            .Select(p => (p[0], p[1]))];
    }

    private async Task<string> StartAsync(HttpClient client, TestUser user, string channel)
    {
        var login = await client.LoginAsync(user.Username, user.Password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var flowId = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("flowId").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel })).StatusCode);
        return flowId;
    }

    /// <summary>Enrols an authenticator app for the user (signed in on a trusted device, or by email code) and returns it.</summary>
    private async Task<Totp> EnrolAuthenticatorAsync(TestUser user, bool trustedClient = true)
    {
        using var client = platform.NewClient(newDevice: !trustedClient);
        await platform.SignInAsync(client, user.Username, user.Password, user.Email);
        var enrolment = await (await client.PostAsync("/api/auth/authenticator", null)).Content.ReadFromJsonAsync<JsonElement>();
        var totp = new Totp(Base32Encoding.ToBytes(enrolment.GetProperty("secret").GetString()!));
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = totp.ComputeTotp() })).StatusCode);
        return totp;
    }

    private async Task AssertAuditedAsync(string account, TestUser user, string type)
    {
        var manager = await platform.CreateUserAsync("auditmgr", account: account, roles: ["AccountManager"]);
        using var admin = await platform.SignedInManagerAsync(manager);
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type={type}");
        Assert.NotEmpty(events!);
    }

    private async Task<string> EmailedCodeAsync(TestUser user) =>
        SixDigits().Match((await platform.TakeEmailAsync(user.Email, "Your sign-in code")).PlainText).Value;

    private static string Wrong(string code) => code == "000000" ? "111111" : "000000";

    /// <summary>A well-formed code outside the accepted window of ±1 time step.</summary>
    private static string WrongTotp(Totp totp)
    {
        var valid = new[] { -30, 0, 30 }.Select(s => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(s))).ToHashSet();
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(c => !valid.Contains(c));
    }

    private static string[] Channels(JsonElement body) =>
        [.. body.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()!)];

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
