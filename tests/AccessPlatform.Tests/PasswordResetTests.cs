using System.Diagnostics;
using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>Self-service password reset through the gateway (ASVS 5.0 6.3.6, 6.3.8, 6.4.1-6.4.3).</summary>
[Collection(PlatformCollection.Name)]
public sealed class PasswordResetTests(PlatformFixture platform)
{
    [Fact]
    public async Task Forgot_password_answers_the_same_for_existing_unknown_locked_and_disabled_users_and_mails_only_where_due()
    {
        var active = await platform.CreateUserAsync("fp-active");
        var locked = await platform.CreateUserAsync("fp-locked");
        var disabled = await platform.CreateUserAsync("fp-disabled", status: "disabled");
        using var client = platform.NewClient();
        for (var i = 0; i < 5; i++)
        {
            await client.LoginAsync(locked.Username, "wrong-wrong-wrong");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(locked.Username, locked.Password)).StatusCode);

        var answers = new List<(HttpStatusCode Status, string Body, TimeSpan Took)>();
        foreach (var input in new[] { active.Username, locked.Email, disabled.Username, $"nobody-{Guid.NewGuid():N}", "nobody@example.test" })
        {
            var watch = Stopwatch.StartNew();
            var response = await client.ForgotAsync(input);
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync(), watch.Elapsed));
        }
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        Assert.Equal(Resx.Text("en", "Forgot_Sent"), JsonDocument.Parse(answers[0].Body).RootElement.GetProperty("message").GetString());
        // The work happens after the answer, so no case takes noticeably longer than another.
        Assert.All(answers, a => Assert.True(a.Took < TimeSpan.FromSeconds(2), a.Took.ToString()));

        await platform.TakeLinkTokenAsync(active.Email);
        await platform.TakeLinkTokenAsync(locked.Email);
        Assert.True(await platform.NoEmailAsync(disabled.Email, PasswordResetTestSupport.ResetSubject, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task The_forgot_password_page_gives_the_same_notice_for_known_and_unknown_users()
    {
        var user = await platform.CreateUserAsync("fp-page");
        using var client = platform.NewClient();
        Assert.Contains("href=\"/forgot-password\"", await (await client.GetAsync("/login")).Content.ReadAsStringAsync());

        var pages = new List<(HttpStatusCode Status, string Body)>();
        foreach (var input in new[] { user.Username, $"nobody-{Guid.NewGuid():N}" })
        {
            var form = await client.GetStringAsync("/forgot-password");
            Assert.Contains(Resx.Text("en", "Forgot_Intro"), WebUtility.HtmlDecode(form));
            var antiforgery = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
            var response = await client.PostAsync("/forgot-password", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["UsernameOrEmail"] = input, ["__RequestVerificationToken"] = antiforgery,
            }));
            var body = await response.Content.ReadAsStringAsync();
            pages.Add((response.StatusCode, body[body.IndexOf("<main>", StringComparison.Ordinal)..body.IndexOf("</main>", StringComparison.Ordinal)]));
        }
        Assert.All(pages, p => Assert.Equal(HttpStatusCode.OK, p.Status));
        Assert.Equal(pages[0].Body, pages[1].Body);
        Assert.Contains(Resx.Text("en", "Forgot_Sent"), WebUtility.HtmlDecode(pages[0].Body));
        await platform.TakeLinkTokenAsync(user.Email);
    }

    [Fact]
    public async Task The_link_comes_from_the_configured_origin_not_the_host_header_and_works_once()
    {
        var user = await platform.CreateUserAsync("once");
        using var client = platform.NewClient();
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/auth/password/forgot") { Content = JsonContent.Create(new { usernameOrEmail = user.Username }) };
        forged.Headers.Host = "evil.example";
        forged.Headers.Add("X-Forwarded-Host", "evil.example");
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(forged)).StatusCode);
        var message = await platform.WaitForEmailAsync(user.Email, m => m.Subject == PasswordResetTestSupport.ResetSubject);
        Assert.DoesNotContain("evil.example", message.PlainText);
        var token = await platform.TakeLinkTokenAsync(user.Email);

        var form = await client.GetAsync($"/reset-password?token={token}");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("id=\"newPassword\"", await form.Content.ReadAsStringAsync());

        var password = PasswordResetTestSupport.StrongPassword();
        var reset = await client.ResetAsync(token, password);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal("/login", (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("next").GetString());

        var again = await client.ResetAsync(token, PasswordResetTestSupport.StrongPassword());
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(Resx.Text("en", "Reset_InvalidLink"), (await again.ProblemAsync()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/reset-password?token={token}")).StatusCode);

        Assert.Equal("401", await client.LoginStatusAsync(user.Username, user.Password));
        await platform.SignInAsync(client, user.Username, password, user.Email);
    }

    [Fact]
    public async Task An_expired_link_is_refused()
    {
        var user = await platform.CreateUserAsync("expired");
        using var client = platform.NewClient();
        await client.ForgotAsync(user.Username);
        var token = await platform.TakeLinkTokenAsync(user.Email);
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(61));
            var reset = await client.ResetAsync(token, PasswordResetTestSupport.StrongPassword());
            Assert.Equal(HttpStatusCode.BadRequest, reset.StatusCode);
            await reset.ProblemAsync();
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
        Assert.Equal("signed-in", await client.LoginStatusAsync(user.Username, user.Password));
    }

    [Fact]
    public async Task Only_the_newest_link_works()
    {
        var user = await platform.CreateUserAsync("superseded");
        using var client = platform.NewClient();
        await client.ForgotAsync(user.Username);
        var first = await platform.TakeLinkTokenAsync(user.Email);
        await client.ForgotAsync(user.Email);
        var second = await platform.TakeLinkTokenAsync(user.Email);
        Assert.NotEqual(first, second);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.ResetAsync(first, PasswordResetTestSupport.StrongPassword())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.ResetAsync(second, PasswordResetTestSupport.StrongPassword())).StatusCode);
    }

    [Fact]
    public async Task A_password_change_by_another_path_voids_the_link()
    {
        var user = await platform.CreateUserAsync("changed");
        using var client = platform.NewClient();
        await client.ForgotAsync(user.Username);
        var token = await platform.TakeLinkTokenAsync(user.Email);
        await platform.ChangePasswordDirectlyAsync(user.Id, PasswordResetTestSupport.StrongPassword());

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/reset-password?token={token}")).StatusCode);
        var reset = await client.ResetAsync(token, PasswordResetTestSupport.StrongPassword());
        Assert.Equal(HttpStatusCode.BadRequest, reset.StatusCode);
        Assert.Equal(Resx.Text("en", "Reset_InvalidLink"), (await reset.ProblemAsync()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_reset_unlocks_revokes_sessions_and_devices_confirms_by_email_and_the_next_login_needs_the_code()
    {
        var user = await platform.CreateUserAsync("full-reset");
        using var signedIn = platform.NewClient();
        Assert.Equal("signed-in", await signedIn.LoginStatusAsync(user.Username, user.Password));
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/api/auth/session")).StatusCode);
        using var attacker = platform.NewClient(newDevice: true);
        for (var i = 0; i < 5; i++)
        {
            await attacker.LoginAsync(user.Username, "wrong-wrong-wrong");
        }
        Assert.Equal("401", await signedIn.LoginStatusAsync(user.Username, user.Password));

        await signedIn.ForgotAsync(user.Username);
        var token = await platform.TakeLinkTokenAsync(user.Email);
        var password = PasswordResetTestSupport.StrongPassword();
        Assert.Equal(HttpStatusCode.OK, (await signedIn.ResetAsync(token, password)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await signedIn.GetAsync("/api/auth/session")).StatusCode);
        var confirmation = await platform.TakeEmailAsync(user.Email, PasswordResetTestSupport.ChangedSubject);
        Assert.DoesNotContain(password, confirmation.PlainText);

        // The device trusted before the reset is not any more: the second factor is asked (ASVS 6.4.3).
        Assert.Equal("second-factor-required", await signedIn.LoginStatusAsync(user.Username, password));
        await platform.SignInAsync(signedIn, user.Username, password, user.Email);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/api/auth/session")).StatusCode);
    }

    [Fact]
    public async Task Weak_or_mismatched_new_passwords_are_refused_with_the_rule_and_do_not_use_up_the_link()
    {
        var user = await platform.CreateUserAsync("rules", language: "de");
        using var client = platform.NewClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de");
        await client.ForgotAsync(user.Username);
        var token = await platform.TakeLinkTokenAsync(user.Email, Resx.Text("de", "Email_Reset_Subject"));

        var cases = new (object Body, string Title)[]
        {
            (new { token, newPassword = "short" }, Resx.Text("de", "Reset_TooShort").Replace("{0}", "12")),
            (new { token, newPassword = new string('x', 129) }, Resx.Text("de", "Reset_TooLong").Replace("{0}", "128")),
            (new { token, newPassword = "unbelievable" }, Resx.Text("de", "Reset_TooCommon")),
            (new { token, newPassword = "a-long-enough-password", confirmPassword = "another-long-password" }, Resx.Text("de", "Reset_Mismatch")),
        };
        foreach (var (body, title) in cases)
        {
            var response = await client.PostAsJsonAsync("/api/auth/password/reset", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(title, (await response.ProblemAsync()).GetProperty("title").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await client.ResetAsync(token, PasswordResetTestSupport.StrongPassword())).StatusCode);
    }

    [Fact]
    public async Task At_most_three_reset_emails_per_user_per_hour()
    {
        var user = await platform.CreateUserAsync("budget");
        using var client = platform.NewClient();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.ForgotAsync(user.Username)).StatusCode);
        }
        for (var i = 0; i < 3; i++)
        {
            await platform.TakeLinkTokenAsync(user.Email);
        }
        Assert.True(await platform.NoEmailAsync(user.Email, PasswordResetTestSupport.ResetSubject, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Users_of_an_sso_account_are_sent_to_their_sso_but_account_managers_get_a_link()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync("sso-user", account: account);
        var manager = await platform.CreateUserAsync("sso-mgr", account: account, roles: ["AccountManager", "User"]);
        await platform.EnforceSsoAsync(account);
        using var client = platform.NewClient();
        await client.ForgotAsync(user.Username);
        await client.ForgotAsync(manager.Username);

        var notice = await platform.TakeEmailAsync(user.Email, PasswordResetTestSupport.ResetSubject);
        Assert.DoesNotContain("reset-password?token=", notice.PlainText);
        Assert.Contains($"/login/saml/{account}", notice.PlainText);
        await platform.TakeLinkTokenAsync(manager.Email);
    }

    [Fact]
    public async Task Bad_input_gets_problem_json()
    {
        using var client = platform.NewClient();
        var requests = new Func<Task<HttpResponseMessage>>[]
        {
            () => client.PostAsJsonAsync("/api/auth/password/forgot", new { }),
            () => client.ForgotAsync(""),
            () => client.ForgotAsync(new string('a', 300)),
            () => client.PostAsync("/api/auth/password/forgot", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")),
            () => client.PostAsync("/api/auth/password/forgot", new StringContent("usernameOrEmail=a", System.Text.Encoding.UTF8, "text/plain")),
            () => client.PostAsJsonAsync("/api/auth/password/reset", new { }),
            () => client.ResetAsync("not-a-token", PasswordResetTestSupport.StrongPassword()),
            () => client.ResetAsync(new string('A', 43), PasswordResetTestSupport.StrongPassword()),
            () => client.PostAsync("/api/auth/password/reset", new StringContent("[1,2]", System.Text.Encoding.UTF8, "application/json")),
        };
        foreach (var send in requests)
        {
            var response = await send();
            Assert.InRange((int)response.StatusCode, 400, 499);
            await response.ProblemAsync();
        }
    }
}
