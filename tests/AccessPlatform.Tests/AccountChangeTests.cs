using System.Text.Json;
using System.Text.RegularExpressions;

namespace AccessPlatform.Tests;

/// <summary>
/// A user's own password, email and phone changes and an Account Manager's pending email and phone changes, through
/// the gateway (ASVS 6.2.3 current password to change it, 6.3.6 / 6.3.7 notify of changes, 7.4.3 offer to end
/// other sessions, 7.5.1 re-authenticate before changing them).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class AccountChangeTests(PlatformFixture platform)
{
    private const string ReauthenticationRequired = "https://access-platform/problems/reauthentication-required";
    private const string InvalidLink = "https://access-platform/problems/invalid-confirmation-link";

    private static string T(string key) => Resx.Text("Login.Api/Resources/AccountChangeResource", "en", key);

    private async Task<(TestUser User, HttpClient Client, HttpClient Admin)> SignedInAsync(string prefix, string? phone = null)
    {
        var account = PasswordResetTestSupport.NewAccount();
        var user = await platform.CreateUserAsync(prefix, account: account, phone: phone);
        var manager = await platform.CreateUserAsync(prefix + "-mgr", account: account, roles: ["AccountManager", "User"]);
        var client = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
        return (user, client, await platform.SignedInManagerAsync(manager));
    }

    private async Task<string> ConfirmTokenAsync(string to, string subject)
    {
        var message = await platform.TakeEmailAsync(to, subject);
        var match = ConfirmLink().Match(message.PlainText);
        Assert.True(match.Success, "The email holds no confirmation link.");
        return match.Groups["token"].Value;
    }

    private async Task<JsonElement> DetailsAsync(HttpClient client) => await client.GetFromJsonAsync<JsonElement>("/api/account");

    [Fact]
    public async Task A_wrong_current_password_is_refused_counted_like_a_failed_login_and_changes_nothing()
    {
        var (user, client, admin) = await SignedInAsync("pw-wrong");
        using var _ = client;
        using var __ = admin;
        var newPassword = PasswordResetTestSupport.StrongPassword();

        var wrong = await client.PostAsJsonAsync("/api/account/password", new { currentPassword = "not-" + user.Password, newPassword });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("https://access-platform/problems/invalid-credentials", (await wrong.ProblemAsync()).GetProperty("type").GetString());
        var view = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/{user.Id}");
        Assert.Equal(1, view.GetProperty("failedAttempts").GetInt32());
        using var other = platform.NewClient();
        Assert.Equal("signed-in", await other.LoginStatusAsync(user.Username, user.Password));
        Assert.Equal("401", await platform.NewClient().LoginStatusAsync(user.Username, newPassword));
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=password.change_failed");
        Assert.Contains(events!, e => e.GetProperty("reason").GetString() == "bad-password");
        Assert.All(events!, e => Assert.DoesNotContain(user.Password, e.GetRawText()));
    }

    [Fact]
    public async Task Changing_the_password_ends_the_other_sessions_when_asked_keeps_this_one_and_emails_the_user()
    {
        var (user, client, admin) = await SignedInAsync("pw-change");
        using var _ = client;
        using var __ = admin;
        using var otherDevice = platform.NewClient();
        Assert.Equal("signed-in", await otherDevice.LoginStatusAsync(user.Username, user.Password));
        var newPassword = PasswordResetTestSupport.StrongPassword();

        var tooShort = await client.PostAsJsonAsync("/api/account/password", new { currentPassword = user.Password, newPassword = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        await tooShort.ProblemAsync();

        var changed = await client.PostAsJsonAsync("/api/account/password", new { currentPassword = user.Password, newPassword });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(1, (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("endedSessions").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await otherDevice.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal("401", await platform.NewClient().LoginStatusAsync(user.Username, user.Password));
        Assert.Equal("signed-in", await platform.NewClient().LoginStatusAsync(user.Username, newPassword));
        var mail = await platform.TakeEmailAsync(user.Email, T("Email_PasswordChanged_Subject"));
        Assert.DoesNotContain(newPassword, mail.Source);
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=password.changed");
        Assert.Contains(events!, e => e.GetProperty("reason").GetString() == "ended-other-sessions");
    }

    [Fact]
    public async Task Changing_the_password_without_ending_other_sessions_keeps_them_signed_in()
    {
        var (user, client, admin) = await SignedInAsync("pw-keep");
        using var _ = client;
        using var __ = admin;
        using var otherDevice = platform.NewClient();
        Assert.Equal("signed-in", await otherDevice.LoginStatusAsync(user.Username, user.Password));
        var newPassword = PasswordResetTestSupport.StrongPassword();

        var changed = await client.PostAsJsonAsync("/api/account/password",
            new { currentPassword = user.Password, newPassword, confirmPassword = newPassword, endOtherSessions = false });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(0, (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("endedSessions").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await otherDevice.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal("signed-in", await platform.NewClient().LoginStatusAsync(user.Username, newPassword));
        await platform.TakeEmailAsync(user.Email, T("Email_PasswordChanged_Subject"));
    }

    [Fact]
    public async Task An_email_change_takes_effect_only_from_the_link_sent_to_the_new_address_and_the_old_address_is_told()
    {
        var (user, client, admin) = await SignedInAsync("email-self");
        using var _ = client;
        using var __ = admin;
        var newEmail = $"moved-{Guid.NewGuid():N}@example.test";

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/account/email", new { email = newEmail })).StatusCode);

        var before = await DetailsAsync(client);
        Assert.Equal(user.Email, before.GetProperty("email").GetString());
        Assert.Equal("email", before.GetProperty("pending")[0].GetProperty("kind").GetString());
        var told = await platform.TakeEmailAsync(user.Email, T("Email_EmailChangeRequested_Subject"));
        Assert.Contains("/forgot-password", told.PlainText);
        Assert.DoesNotMatch(ConfirmLink(), told.PlainText);
        var token = await ConfirmTokenAsync(newEmail, T("Email_ConfirmEmail_Subject"));

        using var mailbox = platform.NewClient();
        var confirmed = await mailbox.PostAsJsonAsync("/api/account/changes/confirm", new { token });

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var after = await DetailsAsync(client);
        Assert.Equal(newEmail, after.GetProperty("email").GetString());
        Assert.Equal(0, after.GetProperty("pending").GetArrayLength());
        await platform.TakeEmailAsync(user.Email, T("Email_EmailChanged_Subject"));
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=account.");
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "account.email_change_requested" && e.GetProperty("reason").GetString() == "self");
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "account.email_changed");
        Assert.All(events!, e => Assert.DoesNotContain(newEmail, e.GetRawText()));
    }

    [Fact]
    public async Task A_leaked_email_change_link_cannot_be_replayed_nor_used_after_it_expired_or_was_replaced()
    {
        var (user, client, admin) = await SignedInAsync("email-replay");
        using var _ = client;
        using var __ = admin;
        using var attacker = platform.NewClient();

        // Replaced: a second request voids the first link.
        var first = $"first-{Guid.NewGuid():N}@example.test";
        var second = $"second-{Guid.NewGuid():N}@example.test";
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/account/email", new { email = first })).StatusCode);
        var firstToken = await ConfirmTokenAsync(first, T("Email_ConfirmEmail_Subject"));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/account/email", new { email = second })).StatusCode);
        var secondToken = await ConfirmTokenAsync(second, T("Email_ConfirmEmail_Subject"));
        var replaced = await attacker.PostAsJsonAsync("/api/account/changes/confirm", new { token = firstToken });
        Assert.Equal(HttpStatusCode.BadRequest, replaced.StatusCode);
        Assert.Equal(InvalidLink, (await replaced.ProblemAsync()).GetProperty("type").GetString());

        // Used once, then replayed.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/account/changes/confirm", new { token = secondToken })).StatusCode);
        var replayed = await attacker.PostAsJsonAsync("/api/account/changes/confirm", new { token = secondToken });
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Equal(InvalidLink, (await replayed.ProblemAsync()).GetProperty("type").GetString());
        Assert.Equal(second, (await DetailsAsync(client)).GetProperty("email").GetString());

        // Expired: a day and an hour later the link is dead, and using it changes nothing.
        var third = $"third-{Guid.NewGuid():N}@example.test";
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/account/email", new { email = third })).StatusCode);
        var thirdToken = await ConfirmTokenAsync(third, T("Email_ConfirmEmail_Subject"));
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromHours(25));
            var expired = await attacker.PostAsJsonAsync("/api/account/changes/confirm", new { token = thirdToken });
            Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
            Assert.Equal(InvalidLink, (await expired.ProblemAsync()).GetProperty("type").GetString());
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
        var view = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/{user.Id}");
        Assert.Equal(second, view.GetProperty("email").GetString());

        foreach (var junk in new object[] { new { token = "" }, new { token = new string('a', 43) }, new { token = new string('x', 5000) }, new { } })
        {
            var refused = await attacker.PostAsJsonAsync("/api/account/changes/confirm", junk);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            await refused.ProblemAsync();
        }
    }

    [Fact]
    public async Task An_attacker_with_a_stolen_session_cannot_change_the_password_email_or_phone_without_re_authenticating()
    {
        var (user, client, admin) = await SignedInAsync("stolen", phone: "+385911230301");
        using var _ = client;
        using var __ = admin;
        var attackerEmail = $"attacker-{Guid.NewGuid():N}@example.test";
        var newPassword = PasswordResetTestSupport.StrongPassword();
        try
        {
            // The session is 6 minutes old and never re-authenticated: what a stolen cookie looks like.
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            foreach (var attempt in new Func<Task<HttpResponseMessage>>[]
            {
                () => client.PostAsJsonAsync("/api/account/password", new { currentPassword = user.Password, newPassword }),
                () => client.PostAsJsonAsync("/api/account/email", new { email = attackerEmail }),
                () => client.PostAsJsonAsync("/api/account/phone", new { phone = "+385911230302" }),
                () => client.PostAsJsonAsync("/api/account/phone/confirm", new { code = "123456" }),
            })
            {
                var response = await attempt();
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal(ReauthenticationRequired, (await response.ProblemAsync()).GetProperty("type").GetString());
            }
            Assert.True(await platform.NoEmailAsync(attackerEmail, T("Email_ConfirmEmail_Subject"), TimeSpan.FromSeconds(2)));
            var details = await DetailsAsync(client);
            Assert.Equal(user.Email, details.GetProperty("email").GetString());
            Assert.Equal(0, details.GetProperty("pending").GetArrayLength());
            Assert.Equal("signed-in", await platform.NewClient().LoginStatusAsync(user.Username, user.Password));

            // After the password is confirmed again, the same request goes through.
            Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/auth/reauthenticate", new { password = user.Password })).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/account/email", new { email = attackerEmail })).StatusCode);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_phone_change_is_confirmed_with_the_sms_code_sent_to_the_new_number_and_the_old_number_is_not_messaged()
    {
        const string oldPhone = "+385911230311";
        const string newPhone = "+385911230312";
        var (user, client, admin) = await SignedInAsync("phone-self", phone: oldPhone);
        using var _ = client;
        using var __ = admin;
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);

        var invalid = await client.PostAsJsonAsync("/api/account/phone", new { phone = "12345" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        await invalid.ProblemAsync();
        var sent = await client.PostAsJsonAsync("/api/account/phone", new { phone = "+385 91 123 0312" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var phoneSms = (await platform.WaitForSmsAsync(newPhone, m => m.ReceivedAt >= since)).Body!;
        var code = SixDigits().Match(phoneSms).Value;
        Assert.Equal($"@localhost #{code}", phoneSms.Split('\n')[^1]);

        var wrongCode = code == "000000" ? "000001" : "000000";
        var wrong = await client.PostAsJsonAsync("/api/account/phone/confirm", new { code = wrongCode });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("https://access-platform/problems/wrong-code", (await wrong.ProblemAsync()).GetProperty("type").GetString());
        Assert.Equal(oldPhone, (await DetailsAsync(client)).GetProperty("phone").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/account/phone/confirm", new { code })).StatusCode);

        Assert.Equal(newPhone, (await DetailsAsync(client)).GetProperty("phone").GetString());
        var reused = await client.PostAsJsonAsync("/api/account/phone/confirm", new { code });
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Equal("https://access-platform/problems/code-not-requested", (await reused.ProblemAsync()).GetProperty("type").GetString());
        await platform.TakeEmailAsync(user.Email, T("Email_PhoneChanged_Subject"));
        await Assert.ThrowsAsync<TimeoutException>(() => platform.WaitForSmsAsync(oldPhone, m => m.ReceivedAt >= since, TimeSpan.FromSeconds(2)));
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=account.");
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "account.phone_change_failed");
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "account.phone_changed");
        Assert.All(events!, e => Assert.DoesNotContain("230312", e.GetRawText()));
    }

    [Fact]
    public async Task An_account_managers_email_and_phone_changes_are_pending_until_confirmed_from_the_new_address_and_number()
    {
        var (user, client, admin) = await SignedInAsync("admin-pending", phone: "+385911230321");
        using var _ = client;
        using var __ = admin;
        var newEmail = $"by-mgr-{Guid.NewGuid():N}@example.test";
        const string newPhone = "+385911230322";
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);

        var patched = await admin.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { email = newEmail, phone = newPhone });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var view = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(user.Email, view.GetProperty("email").GetString());
        Assert.Equal("+385911230321", view.GetProperty("phone").GetString());
        var profile = await admin.GetStringAsync($"/admin/users/{user.Id}");
        Assert.Contains("id=\"pending-changes\"", profile);
        await platform.TakeEmailAsync(user.Email, T("Email_EmailChangeRequestedByAdmin_Subject"));
        await platform.TakeEmailAsync(user.Email, T("Email_PhoneChangeRequestedByAdmin_Subject"));
        var emailToken = await ConfirmTokenAsync(newEmail, T("Email_ConfirmEmail_Subject"));
        var phoneToken = ConfirmLink().Match((await platform.WaitForSmsAsync(newPhone, m => m.ReceivedAt >= since)).Body!).Groups["token"].Value;

        using var mailbox = platform.NewClient();
        Assert.Equal("email", (await (await mailbox.PostAsJsonAsync("/api/account/changes/confirm", new { token = emailToken }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kind").GetString());
        Assert.Equal("phone", (await (await mailbox.PostAsJsonAsync("/api/account/changes/confirm", new { token = phoneToken }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kind").GetString());

        var after = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/{user.Id}");
        Assert.Equal(newEmail, after.GetProperty("email").GetString());
        Assert.Equal(newPhone, after.GetProperty("phone").GetString());
        Assert.DoesNotContain("id=\"pending-changes\"", await admin.GetStringAsync($"/admin/users/{user.Id}"));
        await platform.TakeEmailAsync(user.Email, T("Email_EmailChanged_Subject"));
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}&type=account.");
        var manager = events!.First(e => e.GetProperty("type").GetString() == "account.email_change_requested").GetProperty("actorId").GetGuid();
        Assert.NotEqual(user.Id, manager);
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "account.phone_change_requested" && e.GetProperty("reason").GetString() == "admin");
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "account.email_changed" && e.GetProperty("reason").GetString() == "admin");
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "account.phone_changed" && e.GetProperty("reason").GetString() == "admin");
    }

    [Fact]
    public async Task A_password_reset_soon_after_an_email_change_also_tells_the_old_address()
    {
        var (user, client, admin) = await SignedInAsync("reset-after");
        using var _ = client;
        using var __ = admin;
        var newEmail = $"taken-over-{Guid.NewGuid():N}@example.test";
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/account/email", new { email = newEmail })).StatusCode);
        var token = await ConfirmTokenAsync(newEmail, T("Email_ConfirmEmail_Subject"));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/account/changes/confirm", new { token })).StatusCode);

        using var anonymous = platform.NewClient();
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsJsonAsync("/api/auth/password/forgot", new { usernameOrEmail = user.Username })).StatusCode);

        await platform.TakeEmailAsync(newEmail, PasswordResetTestSupport.ResetSubject);
        var told = await platform.TakeEmailAsync(user.Email, T("Email_ResetAfterEmailChange_Subject"));
        Assert.DoesNotContain("/reset-password?token=", told.PlainText);
    }

    [Fact]
    public async Task Malformed_account_change_input_answers_problem_json_and_changes_nothing()
    {
        var (user, client, admin) = await SignedInAsync("bad-input");
        using var _ = client;
        using var __ = admin;
        foreach (var (path, body) in new (string, object)[]
        {
            ("/api/account/password", new { currentPassword = user.Password }),
            ("/api/account/password", new { currentPassword = user.Password, newPassword = new string('x', 600) }),
            ("/api/account/password", new { currentPassword = user.Password, newPassword = "a-long-new-password-1", confirmPassword = "other" }),
            ("/api/account/email", new { email = "not-an-address" }),
            ("/api/account/email", new { email = new string('a', 300) + "@example.test" }),
            ("/api/account/email", new { email = user.Email }),
            ("/api/account/phone", new { phone = "+1" }),
            ("/api/account/phone/confirm", new { code = "12ab56" }),
            ("/api/account/phone/confirm", new { code = "123456" }),
        })
        {
            var response = await client.PostAsJsonAsync(path, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            await response.ProblemAsync();
        }
        var details = await DetailsAsync(client);
        Assert.Equal(user.Email, details.GetProperty("email").GetString());
        Assert.Equal(0, details.GetProperty("pending").GetArrayLength());
        Assert.Equal("signed-in", await platform.NewClient().LoginStatusAsync(user.Username, user.Password));
    }

    [GeneratedRegex(@"/account/confirm-change\?token=(?<token>[A-Za-z0-9_-]{43})")]
    private static partial Regex ConfirmLink();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
