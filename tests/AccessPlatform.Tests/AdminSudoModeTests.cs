using System.Text.Json;
using OtpNet;

namespace AccessPlatform.Tests;

/// <summary>
/// Account Manager actions that change security need the manager's recent re-authentication (sudo mode, ASVS 5.0
/// 7.5.1): granting roles, creating an Account Manager, re-enabling, unlocking, account policies and resetting someone
/// else's second factors. A stolen manager session (older than the window) gets 403 problem+json of the stated type and
/// changes nothing; protective actions (disable, end sessions, revoke devices) stay instant for incident response.
/// Also the admin "Reset second factors" (audited, emailed, sessions ended).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AdminSudoModeTests(PlatformFixture platform)
{
    private const string ReauthenticationRequired = "https://access-platform/problems/reauthentication-required";

    [Fact]
    public async Task A_stolen_account_manager_session_cannot_change_security_until_the_password_is_confirmed()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("sudo-mgr", account: account, roles: ["AccountManager"]);
        var target = await platform.CreateUserAsync("sudo-target", account: account);
        using var admin = await platform.SignedInManagerAsync(manager);
        try
        {
            // The session is 6 minutes old and never re-authenticated: what a stolen cookie looks like.
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));

            // Protective actions still work at once.
            Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/admin/users/{target.Id}", new { status = "disabled" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/admin/users/{target.Id}/sessions/end", null)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/admin/users/{target.Id}/devices/revoke", null)).StatusCode);

            var newManager = new { username = $"sudo-new-{Guid.NewGuid():N}"[..20], email = $"sudo-new-{Guid.NewGuid():N}@example.test", roles = new[] { "AccountManager" } };
            var guarded = new (string Name, Func<Task<HttpResponseMessage>> Call)[]
            {
                ("grant a role", () => admin.PatchAsJsonAsync($"/api/admin/users/{target.Id}", new { roles = new[] { "User", "AccountManager" } })),
                ("re-enable", () => admin.PatchAsJsonAsync($"/api/admin/users/{target.Id}", new { status = "active" })),
                ("create an Account Manager", () => admin.PostAsJsonAsync("/api/admin/users", newManager)),
                ("unlock", () => admin.PostAsync($"/api/admin/users/{target.Id}/unlock", null)),
                ("account policies", () => admin.PutAsJsonAsync("/api/admin/account/policies", new { secondFactorFallback = true })),
                ("reset second factors", () => admin.PostAsync($"/api/admin/users/{target.Id}/second-factors/reset", null)),
            };
            foreach (var (name, call) in guarded)
            {
                var refused = await call();
                Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{name}: {refused.StatusCode}");
                Assert.Equal(ReauthenticationRequired, (await refused.ProblemAsync()).GetProperty("type").GetString());
            }
            // Nothing changed.
            var unchanged = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/{target.Id}");
            Assert.Equal(["User"], unchanged.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal("disabled", unchanged.GetProperty("status").GetString());
            Assert.False((await admin.GetFromJsonAsync<JsonElement>("/api/admin/account/policies")).GetProperty("secondFactorFallback").GetBoolean());
            Assert.DoesNotContain((await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/users?search={newManager.username}"))!,
                u => u.GetProperty("username").GetString() == newManager.username);

            // After the password, every one of them works.
            Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync("/api/auth/reauthenticate", new { password = manager.Password })).StatusCode);
            var expected = new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.NoContent, HttpStatusCode.OK, HttpStatusCode.OK };
            for (var i = 0; i < guarded.Length; i++)
            {
                var done = await guarded[i].Call();
                Assert.True(done.StatusCode == expected[i], $"{guarded[i].Name}: {done.StatusCode}");
            }
            var changed = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/{target.Id}");
            Assert.Contains("AccountManager", changed.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal("active", changed.GetProperty("status").GetString());
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Resetting_a_users_second_factors_removes_app_codes_and_devices_ends_their_sessions_and_tells_them()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("reset-mgr", account: account, roles: ["AccountManager"]);
        var user = await platform.CreateUserAsync("reset-user", account: account);
        using var device = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await device.LoginAsync(user.Username, user.Password)).StatusCode);
        var enrolment = await (await device.PostAsync("/api/auth/authenticator", null)).Content.ReadFromJsonAsync<JsonElement>();
        var totp = new Totp(Base32Encoding.ToBytes(enrolment.GetProperty("secret").GetString()!));
        Assert.Equal(HttpStatusCode.NoContent, (await device.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = totp.ComputeTotp() })).StatusCode);
        var codes = await platform.GenerateRecoveryCodesAsync(user);

        using var admin = await platform.SignedInManagerAsync(manager);
        var reset = await admin.PostAsync($"/api/admin/users/{user.Id}/second-factors/reset", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(["authenticator", "recovery-codes", "trusted-devices"],
            (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("removed").EnumerateArray().Select(r => r.GetString()).Order());

        Assert.Equal(HttpStatusCode.Unauthorized, (await device.GetAsync("/api/auth/session")).StatusCode);
        var mail = await platform.WaitForEmailAsync(user.Email, m => m.Subject == Resx.Text(RecoveryCodeTestSupport.Resource, "en", "Email_FactorsReset_Subject"));
        Assert.Contains(user.Username, mail.PlainText);
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=admin.second_factors_reset");
        Assert.Contains(events!, e => e.GetProperty("reason").GetString()!.StartsWith("removed=") && e.GetProperty("actorId").GetGuid() == manager.Id);

        // The device once trusted asks again, and no longer for the app; the old recovery codes are void.
        var login = await (await device.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("second-factor-required", login.GetProperty("status").GetString());
        Assert.DoesNotContain("totp", login.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()));
        var flowId = login.GetProperty("flowId").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await device.PostAsJsonAsync("/api/auth/second-factor/recovery-code", new { flowId, code = codes[0] })).StatusCode);

        // Another account's manager gets the same 404 as for an id that does not exist.
        var stranger = await platform.CreateUserAsync("reset-stranger", account: PasswordResetTestSupport.NewAccount(), roles: ["AccountManager"]);
        using var other = await platform.SignedInManagerAsync(stranger);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/admin/users/{user.Id}/second-factors/reset", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/admin/users/{Guid.NewGuid()}/second-factors/reset", null)).StatusCode);
    }
}
