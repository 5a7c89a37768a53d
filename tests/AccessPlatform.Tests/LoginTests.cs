using System.Text;
using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>Password login through the gateway (ASVS 5.0 V6.2, V6.3, V7).</summary>
[Collection(PlatformCollection.Name)]
public sealed class LoginTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_right_password_starts_a_server_side_session_with_a_safe_cookie()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();

        var response = await client.LoginAsync(user.Username, user.Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("signed-in", body.GetProperty("status").GetString());
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ap_session="));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        // ASVS 7.2.3: at least 128 bits; the id is 256 random bits in base64url.
        var id = setCookie.Split(';')[0]["ap_session=".Length..];
        Assert.True(id.Length >= 43, "session id must carry at least 256 bits");

        var session = await client.GetFromJsonAsync<JsonElement>("/api/auth/session");
        Assert.Equal(user.Username, session.GetProperty("username").GetString());
    }

    [Fact]
    public async Task Every_login_issues_a_new_session_id()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        var first = SessionId(await client.LoginAsync(user.Username, user.Password));
        var second = SessionId(await client.LoginAsync(user.Username, user.Password));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Wrong_password_unknown_user_and_locked_account_get_the_same_answer()
    {
        var user = await platform.CreateUserAsync();
        var locked = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        for (var i = 0; i < 5; i++)
        {
            await client.LoginAsync(locked.Username, "definitely-wrong-password");
        }

        var wrong = await client.LoginAsync(user.Username, "definitely-wrong-password");
        var unknown = await client.LoginAsync("no-such-user-" + Guid.NewGuid().ToString("N")[..8], "definitely-wrong-password");
        var lockedAnswer = await client.LoginAsync(locked.Username, locked.Password);

        foreach (var response in new[] { wrong, unknown, lockedAnswer })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var problem = await response.ProblemAsync();
            Assert.Equal("Invalid username or password.", problem.GetProperty("title").GetString());
            Assert.Equal("https://access-platform/problems/invalid-credentials", problem.GetProperty("type").GetString());
            Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("ap_session=")));
        }
    }

    [Fact]
    public async Task The_account_locks_at_exactly_the_threshold_tells_the_user_by_email_once_and_unlocks_after_the_duration()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        try
        {
            for (var i = 1; i <= 4; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, $"wrong-password-{i}")).StatusCode);
            }
            // Four failures: the right password still works, and clears the count.
            Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);

            for (var i = 1; i <= 5; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, $"wrong-password-{i}")).StatusCode);
            }
            // Five consecutive failures: locked, even for the right password.
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, user.Password)).StatusCode);

            var email = await platform.WaitForEmailAsync(user.Email, m => m.Subject == "Your account has been locked");
            Assert.Contains("/forgot-password", email.PlainText);

            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(14));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(16));
            Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);

            await Task.Delay(1000);
            using var mail = platform.ResourceClient("mail");
            var all = await mail.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=500");
            var lockoutEmails = all.GetProperty("results").EnumerateArray().Count(m =>
                m.GetProperty("to").EnumerateArray().Any(t => t.GetString() == user.Email) && m.GetProperty("subject").GetString() == "Your account has been locked");
            Assert.Equal(1, lockoutEmails);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Fifty_parallel_wrong_passwords_from_fifty_addresses_get_no_more_guesses_than_the_threshold()
    {
        var user = await platform.CreateUserAsync();
        var manager = await platform.CreateUserAsync("mgr", roles: ["AccountManager", "User"]);
        var clients = Enumerable.Range(0, 50).Select(_ => platform.NewClient(cookies: false)).ToArray();
        try
        {
            var responses = await Task.WhenAll(clients.Select((c, i) => c.LoginAsync(user.Username, $"parallel-wrong-{i}")));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));

            using var admin = platform.NewClient();
            Assert.Equal(HttpStatusCode.OK, (await admin.LoginAsync(manager.Username, manager.Password)).StatusCode);
            var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&limit=200");
            var checkedGuesses = events!.Count(e => e.GetProperty("type").GetString() == "login.failed" && e.GetProperty("reason").GetString() == "bad-password");
            var refused = events!.Count(e => e.GetProperty("type").GetString() == "login.failed" && e.GetProperty("reason").GetString() == "locked");
            Assert.Equal(5, checkedGuesses);
            Assert.Equal(45, refused);

            var view = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/{user.Id}");
            Assert.True(view.GetProperty("locked").GetBoolean());
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
    public async Task An_account_manager_unlocks_a_locked_user_of_their_account()
    {
        var user = await platform.CreateUserAsync();
        var manager = await platform.CreateUserAsync("mgr", roles: ["AccountManager", "User"]);
        using var client = platform.NewClient();
        for (var i = 0; i < 5; i++)
        {
            await client.LoginAsync(user.Username, "wrong-wrong-wrong");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, user.Password)).StatusCode);

        using var admin = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.LoginAsync(manager.Username, manager.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/users/{user.Id}/unlock", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
    }

    [Fact]
    public async Task An_account_manager_gets_404_for_a_user_of_another_account_whatever_the_id()
    {
        var manager = await platform.CreateUserAsync("mgr", roles: ["AccountManager", "User"]);
        var stranger = await platform.CreateUserAsync(account: "otherco");
        using var admin = platform.NewClient();
        await admin.LoginAsync(manager.Username, manager.Password);

        foreach (var id in new[] { stranger.Id, Guid.NewGuid() })
        {
            var get = await admin.GetAsync($"/api/admin/users/{id}");
            var unlock = await admin.PostAsync($"/api/admin/users/{id}/unlock", null);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, unlock.StatusCode);
        }
    }

    [Fact]
    public async Task A_plain_user_may_not_use_the_admin_api()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        await client.LoginAsync(user.Username, user.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/admin/users")).StatusCode);
    }

    [Fact]
    public async Task A_user_without_web_access_is_told_to_contact_the_account_manager_and_gets_no_session()
    {
        var user = await platform.CreateUserAsync(webAccess: false);
        using var client = platform.NewClient();

        var response = await client.LoginAsync(user.Username, user.Password);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("You do not have access to the web interface. Please contact your account manager.", problem.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/session")).StatusCode);

        // The same user with a wrong password learns nothing about web access.
        var wrong = await client.LoginAsync(user.Username, "not-the-password-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task A_disabled_user_gets_the_generic_failure_even_with_the_right_password()
    {
        var user = await platform.CreateUserAsync(status: "disabled");
        using var client = platform.NewClient();
        var response = await client.LoginAsync(user.Username, user.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Invalid username or password.", (await response.ProblemAsync()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_session_ends_after_thirty_idle_minutes()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        try
        {
            await client.LoginAsync(user.Username, user.Password);
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(29));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/session")).StatusCode);
            // Activity at minute 29 moved the idle window: minute 58 is still fine, minute 90 is not.
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(58));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/session")).StatusCode);
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(90));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/session")).StatusCode);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task An_active_session_still_ends_at_its_twelve_hour_absolute_lifetime()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        try
        {
            await client.LoginAsync(user.Username, user.Password);
            var minutes = 0;
            for (; minutes < 12 * 60 - 20; minutes += 20)
            {
                await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(minutes));
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/session")).StatusCode);
            }
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(12 * 60 + 1));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/session")).StatusCode);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Logout_ends_the_session_on_the_server_not_just_the_cookie()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        var id = SessionId(await client.LoginAsync(user.Username, user.Password));

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/auth/logout", null)).StatusCode);

        using var replay = platform.NewClient(cookies: false);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/session");
        request.Headers.Add("Cookie", $"ap_session={id}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_user_sees_their_sessions_and_ends_another_one()
    {
        var user = await platform.CreateUserAsync();
        using var laptop = platform.NewClient();
        using var phone = platform.NewClient();
        await laptop.LoginAsync(user.Username, user.Password);
        await phone.LoginAsync(user.Username, user.Password);

        var sessions = await laptop.GetFromJsonAsync<JsonElement[]>("/api/auth/sessions");
        Assert.Equal(2, sessions!.Length);
        var other = sessions.Single(s => !s.GetProperty("current").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await laptop.DeleteAsync($"/api/auth/sessions/{other.GetProperty("id").GetString()}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/auth/session")).StatusCode);
    }

    [Fact]
    public async Task The_login_form_refuses_a_post_without_an_antiforgery_token()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = user.Username, ["Password"] = user.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ap_session=")));
    }

    [Fact]
    public async Task The_login_form_signs_in_with_its_antiforgery_token()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        var form = await client.GetStringAsync("/login");
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = user.Username, ["Password"] = user.Password, ["__RequestVerificationToken"] = AntiforgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        Assert.Contains(user.Username, await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_ignored()
    {
        var user = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        var form = await client.GetStringAsync("/login");
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = user.Username, ["Password"] = user.Password, ["ReturnUrl"] = "//evil.example/steal",
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
        }));
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("{\"password\":\"x-long-enough-password\"}")]
    [InlineData("{\"username\":\"someone\"}")]
    [InlineData("{}")]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    public async Task Malformed_login_bodies_get_400_problem_details(string body)
    {
        using var client = platform.NewClient();
        var response = await client.PostAsync("/api/auth/login", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.ProblemAsync();
    }

    [Fact]
    public async Task A_login_body_with_the_wrong_content_type_gets_415_problem_details()
    {
        using var client = platform.NewClient();
        var response = await client.PostAsync("/api/auth/login", new StringContent("username=a&password=b", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await response.ProblemAsync();
    }

    [Fact]
    public async Task A_one_megabyte_login_body_gets_413_problem_details()
    {
        using var client = platform.NewClient();
        var huge = "{\"username\":\"" + new string('a', 1024 * 1024) + "\",\"password\":\"x\"}";
        var response = await client.PostAsync("/api/auth/login", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await response.ProblemAsync();
    }

    [Fact]
    public async Task One_address_failing_across_many_usernames_runs_out_of_its_failure_budget()
    {
        var victim = await platform.CreateUserAsync();
        using var client = platform.NewClient();
        for (var i = 0; i < PlatformFixture.IpFailureBudget; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync($"sprayed-{i}-{Guid.NewGuid():N}"[..20], "Summer2026!!")).StatusCode);
        }
        var blocked = await client.LoginAsync(victim.Username, victim.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.RetryAfter is not null);
        await blocked.ProblemAsync();

        using var elsewhere = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.LoginAsync(victim.Username, victim.Password)).StatusCode);
    }

    internal static string SessionId(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("ap_session=")).Split(';')[0]["ap_session=".Length..];

    internal static string AntiforgeryToken(string html)
    {
        var marker = "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"";
        var start = html.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, "the form must carry an antiforgery token");
        start += marker.Length;
        return html[start..html.IndexOf('"', start)];
    }
}
