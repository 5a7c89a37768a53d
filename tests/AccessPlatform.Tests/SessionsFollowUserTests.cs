using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>
/// Live sessions follow the user's row (ASVS 5.0 7.4.2, 7.4.3; checklist "roles, web access and status changes reach
/// live sessions"), session writes cannot outlive an end (the logout-versus-touch race), sessions per user are capped
/// and logout is audited. All through the gateway, as the user, the attacker and the Account Manager act.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SessionsFollowUserTests(PlatformFixture platform, SamlIdpFixture idp) : IClassFixture<SamlIdpFixture>
{
    /// <summary>The bound the issue sets (cache of at most 30 s), plus slack for a slow machine.</summary>
    private static readonly TimeSpan RoleChangeBound = TimeSpan.FromSeconds(35);

    [Fact]
    public async Task A_demoted_account_manager_loses_the_admin_api_and_the_sso_settings_within_30_seconds()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var demoted = await platform.CreateUserAsync("demoted", account: account, roles: ["AccountManager", "User"]);
        var owner = await platform.CreateUserAsync("owner", account: account, roles: ["AccountManager", "User"]);
        using var attacker = await platform.SignedInManagerAsync(demoted);
        using var admin = await platform.SignedInManagerAsync(owner);
        Assert.Equal(HttpStatusCode.OK, (await attacker.GetAsync("/api/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await attacker.GetAsync("/api/admin/sso")).StatusCode);

        var demotion = await admin.PatchAsJsonAsync($"/api/admin/users/{demoted.Id}", new { roles = new[] { "User" } });
        Assert.Equal(HttpStatusCode.OK, demotion.StatusCode);

        // The session stays (a role change is no sign-out), but its rights are the user's current ones.
        Assert.Equal(HttpStatusCode.Forbidden, await PollUntilAsync(() => attacker.GetAsync("/api/admin/users"), HttpStatusCode.Forbidden));
        Assert.Equal(HttpStatusCode.Forbidden, await PollUntilAsync(() => attacker.GetAsync("/api/admin/sso"), HttpStatusCode.Forbidden));
        Assert.Equal(HttpStatusCode.Forbidden, (await attacker.PostAsJsonAsync("/api/admin/users",
            new { username = $"sneaky-{Guid.NewGuid():N}"[..20], email = "sneaky@example.test", roles = new[] { "AccountManager" } })).StatusCode);
        var session = await attacker.GetFromJsonAsync<JsonElement>("/api/auth/session");
        Assert.Equal("User", Assert.Single(session.GetProperty("roles").EnumerateArray()).GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/users")).StatusCode);
    }

    [Fact]
    public async Task A_user_whose_web_access_is_withdrawn_is_signed_out_at_the_next_request()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("noweb", account: account);
        var owner = await platform.CreateUserAsync("owner", account: account, roles: ["AccountManager", "User"]);
        using var browser = platform.NewClient();
        using var tab = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync(user.Username, user.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tab.LoginAsync(user.Username, user.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/sessions")).StatusCode);
        using var admin = await platform.SignedInManagerAsync(owner);

        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { webAccess = false })).StatusCode);

        var page = await browser.GetAsync("/account/sessions");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.OriginalString);
        var api = await tab.GetAsync("/api/auth/session");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains(await AuditAsync(admin, user.Id, "session.revoked"), e => e.GetProperty("reason").GetString() == "web-access-withdrawn");
    }

    [Fact]
    public async Task A_disabled_user_loses_every_session_at_once()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("disabled", account: account);
        var owner = await platform.CreateUserAsync("owner", account: account, roles: ["AccountManager", "User"]);
        using var laptop = platform.NewClient();
        using var phone = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await laptop.LoginAsync(user.Username, user.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await phone.LoginAsync(user.Username, user.Password)).StatusCode);
        using var admin = await platform.SignedInManagerAsync(owner);

        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { status = "disabled" })).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await laptop.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/auth/sessions")).StatusCode);
    }

    [Fact]
    public async Task A_password_changed_by_any_path_ends_the_sessions_at_once()
    {
        var user = await platform.CreateUserAsync("pwchange");
        using var victim = platform.NewClient();
        using var thief = platform.NewClient(cookies: false);
        var stolen = LoginTests.SessionId(await victim.LoginAsync(user.Username, user.Password));
        Assert.Equal(HttpStatusCode.OK, (await SendWithSessionAsync(thief, stolen)).StatusCode);

        // Not a reset link: the security stamp alone has to end the sessions.
        await platform.ChangePasswordDirectlyAsync(user.Id, PasswordResetTestSupport.StrongPassword());

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendWithSessionAsync(thief, stolen)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await victim.GetAsync("/api/auth/session")).StatusCode);
    }

    [Fact]
    public async Task A_password_reset_ends_the_sessions_at_once_and_the_audit_says_so()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("reset", account: account);
        var owner = await platform.CreateUserAsync("owner", account: account, roles: ["AccountManager", "User"]);
        using var thief = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await thief.LoginAsync(user.Username, user.Password)).StatusCode);
        using var admin = await platform.SignedInManagerAsync(owner);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/admin/users/{user.Id}/password-reset", null)).StatusCode);
        var token = await platform.TakeLinkTokenAsync(user.Email);

        using var owned = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await owned.ResetAsync(token, PasswordResetTestSupport.StrongPassword())).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.GetAsync("/api/auth/session")).StatusCode);
        Assert.Contains(await AuditAsync(admin, user.Id, "session.revoked"), e => e.GetProperty("reason").GetString() == "password-reset");
    }

    [Fact]
    public async Task Sso_enforcement_ends_the_users_password_sessions_at_once_but_keeps_the_account_managers()
    {
        var key = "sso-" + Guid.NewGuid().ToString("N")[..10];
        var manager = await platform.CreateUserAsync("am", roles: ["AccountManager"], account: key);
        var user = await platform.CreateUserAsync("pw", account: key);
        using var admin = await platform.SignedInManagerAsync(manager);
        using var browser = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync(user.Username, user.Password)).StatusCode);
        var view = await admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
        var account = new SsoAccount(key, admin, view.GetProperty("spEntityId").GetString()!, view.GetProperty("acsUrl").GetString()!);
        await account.PutSettingsAsync(idp);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/auth/session")).StatusCode);

        await account.PutSettingsAsync(idp, enforceSso: true);

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/auth/session")).StatusCode);
        Assert.Contains(await AuditAsync(admin, user.Id, "session.revoked"), e => e.GetProperty("reason").GetString() == "sso-enforced");
        // Saving the settings again (still enforced) ends nothing more: the manager keeps the session.
        await account.PutSettingsAsync(idp, enforceSso: true);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/sso")).StatusCode);
    }

    [Fact]
    public async Task Touches_racing_a_logout_or_end_all_sessions_leave_no_session_behind()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("race", account: account);
        var owner = await platform.CreateUserAsync("owner", account: account, roles: ["AccountManager", "User"]);
        var offset = TimeSpan.Zero;
        try
        {
            for (var round = 0; round < 4; round++)
            {
                // Its own client address per round: the gateway allows 600 requests a minute per address.
                using var attacker = platform.NewClient(cookies: false);
                using var admin = await platform.SignedInManagerAsync(owner);
                using var victim = platform.NewClient();
                var cookie = LoginTests.SessionId(await victim.LoginAsync(user.Username, user.Password));

                // 100 parallel workers keep using the stolen cookie while the clock keeps moving past the activity
                // resolution, so last activity is being written when the session is ended; each sends at most 5.
                var sent = 0;
                var ended = 0;
                var workers = Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
                {
                    for (var i = 0; i < 5 && Volatile.Read(ref ended) == 0; i++)
                    {
                        using var response = await SendWithSessionAsync(attacker, cookie);
                        Interlocked.Increment(ref sent);
                    }
                })));
                var clock = Task.Run(async () =>
                {
                    for (var step = 0; step < 20 && Volatile.Read(ref ended) == 0 && !workers.IsCompleted; step++)
                    {
                        offset += TimeSpan.FromSeconds(61);
                        await platform.SetClockOffsetAsync(offset);
                    }
                });
                while (Volatile.Read(ref sent) < 100 && !workers.IsCompleted)
                {
                    await Task.Delay(1);
                }
                var end = round % 2 == 0
                    ? await victim.PostAsync("/api/auth/logout", null)
                    : await admin.PostAsync($"/api/admin/users/{user.Id}/sessions/end", null);
                Assert.True(end.IsSuccessStatusCode, $"round {round}: {end.StatusCode}");
                Volatile.Write(ref ended, 1);
                await workers;
                await clock;

                Assert.Equal(HttpStatusCode.Unauthorized, (await SendWithSessionAsync(attacker, cookie)).StatusCode);
            }
            // Nothing left that could be listed or ended: the user's only session is the one signed in now.
            using var check = platform.NewClient();
            Assert.Equal(HttpStatusCode.OK, (await check.LoginAsync(user.Username, user.Password)).StatusCode);
            var sessions = await check.GetFromJsonAsync<JsonElement[]>("/api/auth/sessions");
            Assert.True(Assert.Single(sessions!).GetProperty("current").GetBoolean());
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_script_logging_in_120_times_leaves_50_sessions_and_the_list_answers_in_pages_of_20()
    {
        var user = await platform.CreateUserAsync("capped", account: PasswordResetTestSupport.NewAccount(), roles: ["AccountManager", "User"]);
        using var first = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await first.LoginAsync(user.Username, user.Password)).StatusCode);
        try
        {
            // 40 logins from a script that keeps no cookies, then the first session is used "later" than all that
            // follow (the clock is set ahead for that one request and back again), then 79 more: 120 in all.
            await ScriptedLoginsAsync(user, 40);
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/auth/session")).StatusCode);
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
            await ScriptedLoginsAsync(user, 40);
            await ScriptedLoginsAsync(user, 39);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }

        // The first session, least recently created but most recently used, is still there: the least recently
        // used ones were ended.
        var page1 = await first.GetAsync("/api/auth/sessions");
        Assert.Equal(HttpStatusCode.OK, page1.StatusCode);
        Assert.Equal("50", page1.Headers.GetValues("X-Total-Count").Single());
        var items = (await page1.Content.ReadFromJsonAsync<JsonElement[]>())!;
        Assert.Equal(20, items.Length);
        var created = items.Select(i => i.GetProperty("createdAt").GetDateTime()).ToArray();
        Assert.Equal(created.OrderDescending(), created);
        var page3 = (await first.GetFromJsonAsync<JsonElement[]>("/api/auth/sessions?page=3"))!;
        Assert.Equal(10, page3.Length);
        Assert.Contains(page3, i => i.GetProperty("current").GetBoolean());
        var html = await first.GetStringAsync("/account/sessions");
        Assert.Equal(20, html.Split("<tr>").Length - 2);
        Assert.Contains("id=\"next\"", html);

        var capped = await AuditAsync(first, user.Id, "session.revoked");
        Assert.Equal(70, capped.Count(e => e.GetProperty("reason").GetString() == "session-cap"));
    }

    [Fact]
    public async Task Logout_is_audited()
    {
        var user = await platform.CreateUserAsync("logout", account: PasswordResetTestSupport.NewAccount(), roles: ["AccountManager", "User"]);
        using var client = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/auth/logout", null)).StatusCode);
        // A second logout with the ended session is not signed in and records nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/auth/logout", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
        var ended = Assert.Single(await AuditAsync(client, user.Id, "session.ended"));
        Assert.Equal("logout", ended.GetProperty("reason").GetString());
        Assert.Equal(user.Id, ended.GetProperty("actorId").GetGuid());
    }

    private async Task ScriptedLoginsAsync(TestUser user, int count)
    {
        // Its own client address per batch: the gateway's per-IP limit on auth POSTs is 40 a minute in the tests.
        using var script = platform.NewClient(cookies: false);
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
            {
                Content = JsonContent.Create(new { username = user.Username, password = user.Password }),
            };
            request.Headers.Add("Cookie", $"ap_device={platform.TrustedDeviceId}");
            using var response = await script.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("signed-in", (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString());
        });
    }

    private static async Task<HttpResponseMessage> SendWithSessionAsync(HttpClient client, string sessionId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/session");
        request.Headers.Add("Cookie", $"ap_session={sessionId}");
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement[]> AuditAsync(HttpClient manager, Guid userId, string type) =>
        (await manager.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={userId}&type={type}&limit=200"))!;

    private static async Task<HttpStatusCode> PollUntilAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow + RoleChangeBound;
        while (true)
        {
            using var response = await send();
            if (response.StatusCode == wanted || DateTime.UtcNow > deadline)
            {
                return response.StatusCode;
            }
            await Task.Delay(500);
        }
    }
}
