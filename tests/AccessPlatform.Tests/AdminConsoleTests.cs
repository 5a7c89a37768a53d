using System.Text.Json;
using Npgsql;

namespace AccessPlatform.Tests;

/// <summary>
/// The admin console people can work in (issue 15), through the gateway: the users list's prefix search, filters,
/// sort, paging and counts (API and page), the profile's confirmation step for destructive actions and the last
/// sign-in, the audit log's user filter and CSV export; and the attacks on them: another account's ids in the
/// confirmation step, the audit filters and the export (ASVS 5.0 8.2.2, 8.3.1, 16.2.1; OWASP CSV injection).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AdminConsoleTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_users_api_searches_by_prefix_of_username_name_or_email_filters_sorts_pages_and_counts()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("lst-mgr", account: account, roles: ["AccountManager", "User"]);
        var cats = new List<TestUser>();
        for (var i = 0; i < 4; i++)
        {
            cats.Add(await platform.CreateUserAsync($"cat{i}", account: account));
        }
        var noWeb = await platform.CreateUserAsync("dog", account: account, webAccess: false);
        // Names come from an IdP (JIT) in the product; set here directly, as the arrangement.
        await ExecuteAsync("UPDATE users SET given_name = 'Ödön', family_name = 'Zyxwert' WHERE id = @id", cats[0].Id);
        await ExecuteAsync("UPDATE users SET given_name = 'Ana', family_name = 'Abbot' WHERE id = @id", cats[1].Id);
        var hound = $"hound{Guid.NewGuid():N}"[..14];
        await ExecuteAsync($"UPDATE users SET email = '{hound}@example.test' WHERE id = @id", noWeb.Id);
        await ExecuteAsync("UPDATE users SET locked_until = now() + interval '1 hour' WHERE id = @id", cats[2].Id);
        using var admin = await platform.SignedInManagerAsync(manager);
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/admin/users/{cats[3].Id}", new { status = "disabled" })).StatusCode);
        var team = (await (await admin.PostAsJsonAsync("/api/admin/teams", new { name = "Felines" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync($"/api/admin/teams/{team}/members/{cats[1].Id}", null)).StatusCode);

        // Prefix, case-insensitive, on username, email, given and family name; a middle part is no prefix.
        Assert.Equal(cats.Select(c => c.Id).Order(), (await ListAsync(admin, "search=CAT", expectTotal: 4)).Select(u => u.Id).Order());
        Assert.Equal([noWeb.Id], (await ListAsync(admin, $"search={hound[..10].ToUpperInvariant()}", 1)).Select(u => u.Id)); // email only
        Assert.Equal([cats[0].Id], (await ListAsync(admin, "search=zyxw", 1)).Select(u => u.Id));
        Assert.Equal([cats[0].Id], (await ListAsync(admin, "search=%C3%96d%C3%B6", 1)).Select(u => u.Id)); // "Ödö": a given name, not ASCII
        Assert.Equal([cats[1].Id], (await ListAsync(admin, "search=ana", 1)).Select(u => u.Id));
        Assert.Empty(await ListAsync(admin, $"search={cats[0].Username[5..12]}", 0));
        Assert.Empty(await ListAsync(admin, "search=%25", 0));

        // Filters.
        Assert.Equal([manager.Id], (await ListAsync(admin, "role=AccountManager", 1)).Select(u => u.Id));
        Assert.Equal([cats[3].Id], (await ListAsync(admin, "status=disabled", 1)).Select(u => u.Id));
        Assert.Equal(5, (await ListAsync(admin, "status=active", 5)).Length);
        Assert.Equal([cats[2].Id], (await ListAsync(admin, "locked=true", 1)).Select(u => u.Id));
        Assert.Equal([noWeb.Id], (await ListAsync(admin, "webAccess=false", 1)).Select(u => u.Id));
        Assert.Equal([cats[1].Id], (await ListAsync(admin, $"team={team}&search=cat", 1)).Select(u => u.Id));

        // Sorts: username both ways, name (family name first, unnamed last), created, last sign-in (the manager signed in).
        var byUsername = (await ListAsync(admin, "sort=username&direction=desc", 6)).Select(u => u.Username).ToArray();
        Assert.Equal(byUsername.OrderDescending(StringComparer.Ordinal), byUsername);
        Assert.Equal([cats[1].Id, cats[0].Id], (await ListAsync(admin, "sort=name", 6)).Take(2).Select(u => u.Id));
        Assert.Equal([manager.Id, .. cats.Select(c => c.Id), noWeb.Id], (await ListAsync(admin, "sort=created", 6)).Select(u => u.Id));
        var recent = await ListAsync(admin, "sort=lastSignIn&direction=desc", 6);
        Assert.Equal(manager.Id, recent[0].Id);
        Assert.Equal("password", recent[0].LastSignIn!.Method);
        Assert.All(recent.Skip(1), u => Assert.Null(u.LastSignIn));

        // Paging keeps the order and the count; pages do not overlap.
        var pages = new List<AdminUser>();
        for (var page = 1; page <= 3; page++)
        {
            pages.AddRange(await ListAsync(admin, $"search=cat&sort=username&pageSize=2&page={page}", 4));
        }
        Assert.Equal(cats.Select(c => c.Username).Order(StringComparer.Ordinal), pages.Select(u => u.Username));
    }

    [Theory]
    [InlineData("sort=password_hash", "sort")]
    [InlineData("sort=username;DROP TABLE users", "sort")]
    [InlineData("direction=sideways", "direction")]
    [InlineData("status=deleted", "status")]
    [InlineData("role=Root", "role")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("page=0", "page")]
    public async Task An_unknown_list_parameter_value_is_a_400_naming_the_parameter(string query, string parameter)
    {
        var manager = await platform.CreateUserAsync("lst-bad", roles: ["AccountManager", "User"]);
        using var admin = await platform.SignedInManagerAsync(manager);

        var response = await admin.GetAsync($"/api/admin/users?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ProblemAsync()).GetProperty("errors").TryGetProperty(parameter, out _), parameter);
    }

    [Fact]
    public async Task The_users_page_counts_keeps_filters_and_sort_in_its_links_and_ignores_unknown_values_with_a_message()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("pg-mgr", account: account, roles: ["AccountManager", "User"]);
        for (var i = 0; i < 27; i++)
        {
            await platform.CreateUserAsync("pgl", account: account);
        }
        using var admin = await platform.SignedInManagerAsync(manager);

        var html = await admin.GetStringAsync("/admin/users?search=pgl&status=active&webAccess=yes&sort=created&direction=desc");
        Assert.Contains(Text("List_Count", 27), html);
        Assert.Contains(Text("List_PageOf", 1, 2), html);
        var next = System.Net.WebUtility.HtmlDecode(Attribute(html, "id=\"next\""));
        foreach (var kept in new[] { "search=pgl", "status=active", "webAccess=yes", "sort=created", "direction=desc", "pageNumber=2" })
        {
            Assert.Contains(kept, next);
        }
        var second = await admin.GetStringAsync(next);
        Assert.Contains(Text("List_PageOf", 2, 2), second);
        Assert.Equal(2, CountRows(second));

        var ignored = await admin.GetAsync("/admin/users?search=pgl&sort=password_hash&locked=maybe");
        Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);
        var ignoredHtml = await ignored.Content.ReadAsStringAsync();
        Assert.Contains(System.Net.WebUtility.HtmlEncode(Text("List_Ignored", "locked, sort")), ignoredHtml);
        Assert.Contains(Text("List_Count", 27), ignoredHtml);
    }

    [Fact]
    public async Task Destructive_profile_actions_ask_first_change_nothing_until_confirmed_and_end_with_a_message()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("cf-mgr", account: account, roles: ["AccountManager", "User"]);
        var user = await platform.CreateUserAsync("cf-user", account: account);
        using var admin = await platform.SignedInManagerAsync(manager);
        using var victim = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await victim.LoginAsync(user.Username, user.Password)).StatusCode);
        var profile = $"/admin/users/{user.Id}";

        // The last sign-in: time, method and the device label of the user's browser.
        var view = await admin.GetFromJsonAsync<AdminUser>($"/api/admin/users/{user.Id}", PlatformFixture.JsonOptions);
        Assert.Equal("password", view!.LastSignIn!.Method);
        Assert.False(string.IsNullOrEmpty(view.LastSignIn.Device));
        var page = await admin.GetStringAsync(profile);
        Assert.Contains($"id=\"last-sign-in-method\">{Text("Method_password")}<", page);
        Assert.Contains("class=\"danger\"", page);

        foreach (var (handler, extra, action) in new[] { ("EndSessions", "", "end-sessions"), ("RevokeDevices", "", "revoke-devices"), ("Status", "false", "disable") })
        {
            var ask = await PostFormAsync(admin, $"{profile}?handler={handler}", extra.Length > 0 ? new() { ["enabled"] = extra } : []);
            Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
            var confirm = await ask.Content.ReadAsStringAsync();
            Assert.Contains("id=\"confirm\"", confirm);
            Assert.Contains(System.Net.WebUtility.HtmlEncode(Text("Confirm_" + action, user.Username)), confirm);
            Assert.Contains("name=\"confirm\" value=\"true\"", confirm);
        }
        // Asked three times, confirmed never: the user is still signed in and active.
        Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal("active", (await admin.GetFromJsonAsync<AdminUser>($"/api/admin/users/{user.Id}", PlatformFixture.JsonOptions))!.Status);
        Assert.Contains(Text("Confirm_Cancelled"), await admin.GetStringAsync($"{profile}?cancelled=true"));

        var ended = await PostFormAsync(admin, $"{profile}?handler=EndSessions", new() { ["confirm"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        Assert.Contains("1 sessions were ended.", await admin.GetStringAsync(ended.Headers.Location!.OriginalString));
        Assert.Equal(HttpStatusCode.Unauthorized, (await victim.GetAsync("/api/auth/session")).StatusCode);

        var disabled = await PostFormAsync(admin, $"{profile}?handler=Status", new() { ["enabled"] = "false", ["confirm"] = "true" });
        Assert.Contains("The user was disabled and signed out everywhere.", await admin.GetStringAsync(disabled.Headers.Location!.OriginalString));
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=admin.user_disabled");
        Assert.Equal(manager.Id, Assert.Single(events!).GetProperty("actorId").GetGuid());
    }

    [Fact]
    public async Task Attack_another_accounts_user_id_in_the_confirmation_step_gets_404_and_changes_nothing()
    {
        var victimAccount = PasswordResetTestSupport.NewAccount();
        var victim = await platform.CreateUserAsync("cf-victim", account: victimAccount);
        var attacker = await platform.CreateUserAsync("cf-attacker", account: PasswordResetTestSupport.NewAccount(), roles: ["AccountManager", "User"]);
        using var victimBrowser = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await victimBrowser.LoginAsync(victim.Username, victim.Password)).StatusCode);
        using var admin = await platform.SignedInManagerAsync(attacker);
        var target = $"/admin/users/{victim.Id}";

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"{target}?confirm=disable")).StatusCode);
        foreach (var (handler, fields) in new (string, Dictionary<string, string>)[]
        {
            ("Confirm", new() { ["pendingAction"] = "reset-second-factors" }),
            ("EndSessions", []),
            ("EndSessions", new() { ["confirm"] = "true" }),
            ("RevokeDevices", new() { ["confirm"] = "true" }),
            ("Status", new() { ["enabled"] = "false", ["confirm"] = "true" }),
        })
        {
            var response = await PostFormAsync(admin, $"{target}?handler={handler}", fields, tokenFrom: "/admin/users");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        var reset = await PostFormAsync(admin, $"{target}/second-factors/reset", new() { ["confirm"] = "true" }, tokenFrom: "/admin/users");
        Assert.NotEqual(HttpStatusCode.OK, reset.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await victimBrowser.GetAsync("/api/auth/session")).StatusCode);
        using var victimsOwnManager = await platform.SignedInManagerAsync(
            await platform.CreateUserAsync("cf-own", account: victimAccount, roles: ["AccountManager", "User"]));
        Assert.Equal("active", (await victimsOwnManager.GetFromJsonAsync<AdminUser>($"/api/admin/users/{victim.Id}", PlatformFixture.JsonOptions))!.Status);
        Assert.Empty((await victimsOwnManager.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={victim.Id}&type=admin."))!);
    }

    [Fact]
    public async Task The_audit_csv_export_streams_the_filtered_rows_with_trace_ids_and_is_itself_audited()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("csv-mgr", account: account, roles: ["AccountManager", "User"]);
        var user = await platform.CreateUserAsync("csv-user", account: account);
        using var admin = await platform.SignedInManagerAsync(manager);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/admin/users/{user.Id}/password-reset", null)).StatusCode);

        var response = await admin.GetAsync($"/api/admin/audit/export?userId={user.Id}&type=password.");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("occurred_at_utc,type,user_id,username,user_name,actor_id,actor_username,reason,ip,trace_id", lines[0]);
        var row = Assert.Single(lines.Skip(1)).Split(',');
        Assert.Equal(["password.reset_requested", user.Id.ToString(), user.Username, "", manager.Id.ToString(), manager.Username, "admin:link"], row[1..8]);
        Assert.Matches("^[0-9a-f]{32}$", row[9]);

        var exported = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=admin.audit_exported");
        var audit = Assert.Single(exported!);
        Assert.Equal("rows=1", audit.GetProperty("reason").GetString());
        Assert.Equal(manager.Id, audit.GetProperty("actorId").GetGuid());

        // The audit page filters by username and links to the same export.
        var page = await admin.GetStringAsync($"/admin/audit?user={user.Username}&type=password.");
        Assert.Contains("password.reset_requested", page);
        Assert.Contains(System.Net.WebUtility.HtmlEncode($"/api/admin/audit/export?userId={user.Id}&type=password."), page);
    }

    [Fact]
    public async Task The_audit_csv_export_stops_at_ten_thousand_rows_and_says_so_in_its_last_line()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("cap-mgr", account: account, roles: ["AccountManager", "User"]);
        using var admin = await platform.SignedInManagerAsync(manager);
        // 10,005 events of this account, written in one statement (the table takes inserts only).
        await ExecuteAsync("""
            INSERT INTO audit_events (account_id, user_id, type, reason)
            SELECT u.account_id, u.id, 'test.bulk', 'n=' || i FROM users u, generate_series(1, 10005) i WHERE u.id = @id
            """, manager.Id);

        var lines = (await admin.GetStringAsync("/api/admin/audit/export?type=test.bulk")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(1 + 10_000 + 1, lines.Length);
        Assert.StartsWith("# capped: only the newest 10000 events", lines[^1]);
        Assert.Contains(",n=10005,", lines[1]);
        var audit = await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/audit?type=admin.audit_exported");
        Assert.Equal("rows=10000,capped", Assert.Single(audit!).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Attack_another_accounts_user_in_the_audit_filter_and_csv_export_yields_no_rows()
    {
        var victimAccount = PasswordResetTestSupport.NewAccount();
        var victim = await platform.CreateUserAsync("au-victim", account: victimAccount);
        var victimManager = await platform.CreateUserAsync("au-vmgr", account: victimAccount, roles: ["AccountManager", "User"]);
        using (var own = await platform.SignedInManagerAsync(victimManager))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await own.PostAsync($"/api/admin/users/{victim.Id}/password-reset", null)).StatusCode);
        }
        var attacker = await platform.CreateUserAsync("au-attacker", account: PasswordResetTestSupport.NewAccount(), roles: ["AccountManager", "User"]);
        using var admin = await platform.SignedInManagerAsync(attacker);

        var csv = (await admin.GetStringAsync($"/api/admin/audit/export?userId={victim.Id}")).TrimStart('\uFEFF');
        Assert.Single(csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)); // the header, nothing else
        Assert.DoesNotContain(victim.Username, csv);
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={victim.Id}"))!);
        foreach (var filter in new[] { victim.Username, victim.Id.ToString() })
        {
            var page = await admin.GetStringAsync($"/admin/audit?user={filter}");
            Assert.Contains("id=\"audit-unknown-user\"", page);
            // No table of events (the type suggestions list every type name, so the name alone proves nothing).
            Assert.DoesNotContain("id=\"audit\"", page);
        }
        // The whole-account export of the attacker holds only the attacker's own account.
        Assert.DoesNotContain(victim.Id.ToString(), await admin.GetStringAsync("/api/admin/audit/export"));
        Assert.Empty(await ListAsync(admin, $"search={victim.Username}", 0));
    }

    private async Task<AdminUser[]> ListAsync(HttpClient admin, string query, int expectTotal)
    {
        var response = await admin.GetAsync($"/api/admin/users?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectTotal.ToString(), response.Headers.GetValues("X-Total-Count").Single());
        return (await response.Content.ReadFromJsonAsync<AdminUser[]>(PlatformFixture.JsonOptions))!;
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, Dictionary<string, string> fields, string? tokenFrom = null)
    {
        var form = await client.GetStringAsync(tokenFrom ?? path[..path.IndexOf('?')]);
        fields["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(form);
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    private async Task ExecuteAsync(string sql, Guid id)
    {
        await using var db = new NpgsqlConnection(await platform.App.GetConnectionStringAsync("login-db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("id", id);
        Assert.True(await command.ExecuteNonQueryAsync() > 0);
    }

    private static string Text(string key, params object[] args) =>
        string.Format(Resx.Text("Login.Api/Resources/AdminConsoleResource", "en", key), args);

    private static string Attribute(string html, string marker)
    {
        var at = html.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, marker);
        var tag = html.LastIndexOf('<', at);
        var href = html.IndexOf("href=\"", tag, StringComparison.Ordinal) + 6;
        return html[href..html.IndexOf('"', href)];
    }

    private static int CountRows(string html)
    {
        var body = html[html.IndexOf("<tbody>", html.IndexOf("id=\"users\"", StringComparison.Ordinal), StringComparison.Ordinal)..];
        body = body[..body.IndexOf("</tbody>", StringComparison.Ordinal)];
        return body.Split("<tr>").Length - 1;
    }

    private sealed record AdminUser(Guid Id, string Username, string Email, string Status, AdminSignIn? LastSignIn);

    private sealed record AdminSignIn(DateTime At, string Method, string? Device);
}
