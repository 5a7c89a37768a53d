using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AccessPlatform.Tests;

/// <summary>
/// Self-service sign-up and operator provisioning through the gateway (issue 18; ASVS 5.0 6.3.8 no enumeration,
/// 6.4.1 activation token, 2.2.1 input validation, 2.4.1 anti-automation).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SignupTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_signup_stays_pending_until_confirmed_once_and_its_creation_is_audited()
    {
        using var client = platform.NewClient();
        var signup = SignupTestSupport.NewSignup();
        var username = (string)signup["username"]!;
        var password = (string)signup["password"]!;
        var email = (string)signup["email"]!;

        var accepted = await client.SignUpAsync(signup);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var token = await platform.TakeActivationTokenAsync(email);

        // Pending: the generic failure, exactly as for a wrong password.
        var pending = await client.LoginAsync(username, password);
        var wrong = await client.LoginAsync(username, "not-the-password-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, pending.StatusCode);
        Assert.Equal(WithoutTraceId(await wrong.ProblemAsync()), WithoutTraceId(await pending.ProblemAsync()));

        // Opening the link (as a mail scanner would) activates nothing: only the page's button does.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/signup/confirm?token={token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(username, password)).StatusCode);

        var confirmed = await client.ConfirmSignupAsync(token);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal("/login?ReturnUrl=%2Fadmin%2Fusers%3Fwelcome%3D1", (await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("next").GetString());
        var again = await client.ConfirmSignupAsync(token);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("https://access-platform/problems/invalid-activation-link", (await again.ProblemAsync()).GetProperty("type").GetString());

        // First sign-in: a new device for this user, so the emailed code; then the manager reads the account's audit log.
        using var manager = platform.NewClient();
        await platform.SignInAsync(manager, username, password, email, (string)signup["phone"]!);
        var created = Assert.Single(await manager.AuditAsync("account.created"));
        Assert.Equal("self-service", created.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("actorId").ValueKind);
        Assert.Single(await manager.AuditAsync("account.activated"));
        var users = await manager.GetFromJsonAsync<JsonElement>("/api/admin/users");
        Assert.Contains(username, users.GetRawText());
        Assert.Contains("AccountManager", users.GetRawText());
    }

    [Fact]
    public async Task Taken_account_keys_and_usernames_are_field_errors_also_while_pending()
    {
        using var client = platform.NewClient();
        var seededKey = SignupTestSupport.NewSignup();
        seededKey["accountKey"] = "contoso";
        var response = await client.SignUpAsync(seededKey);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(["accountKey"], await response.FieldErrorsAsync());

        var seededUser = SignupTestSupport.NewSignup();
        seededUser["username"] = "ANNA.manager";
        response = await client.SignUpAsync(seededUser);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(["username"], await response.FieldErrorsAsync());

        var first = SignupTestSupport.NewSignup();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignUpAsync(first)).StatusCode);
        var sameKey = SignupTestSupport.NewSignup();
        sameKey["accountKey"] = first["accountKey"];
        response = await client.SignUpAsync(sameKey);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(["accountKey"], await response.FieldErrorsAsync());
        var sameUser = SignupTestSupport.NewSignup();
        sameUser["username"] = first["username"];
        response = await client.SignUpAsync(sameUser);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(["username"], await response.FieldErrorsAsync());
    }

    [Fact]
    public async Task Signing_up_with_an_existing_email_sends_that_address_a_notice_and_answers_like_a_new_one()
    {
        var existing = await platform.CreateUserAsync("su-exist");
        using var client = platform.NewClient();
        var fresh = SignupTestSupport.NewSignup();
        var withExisting = SignupTestSupport.NewSignup();
        withExisting["email"] = existing.Email.ToUpperInvariant();

        var newAnswer = await client.SignUpAsync(fresh);
        var existingAnswer = await client.SignUpAsync(withExisting);
        Assert.Equal(HttpStatusCode.Accepted, newAnswer.StatusCode);
        Assert.Equal(newAnswer.StatusCode, existingAnswer.StatusCode);
        Assert.Equal(await newAnswer.Content.ReadAsStringAsync(), await existingAnswer.Content.ReadAsStringAsync());

        var notice = await platform.TakeEmailAsync(existing.Email, SignupTestSupport.Text("en", "Email_InUse_Subject"));
        Assert.Contains(existing.Username, notice.PlainText);
        Assert.DoesNotMatch(SignupTestSupport.ActivationLink(), notice.PlainText);
        Assert.True(await platform.NoEmailAsync(existing.Email, SignupTestSupport.Text("en", "Email_Activate_Subject"), TimeSpan.FromSeconds(2)));

        // Nothing was created: the same key and username with an address of their own go through.
        withExisting["email"] = $"{withExisting["accountKey"]}-2@example.test";
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignUpAsync(withExisting)).StatusCode);
        await platform.TakeActivationTokenAsync((string)withExisting["email"]!);
    }

    public static TheoryData<string, string, object?> BadFields => new()
    {
        { "companyName-empty", "companyName", "" },
        { "companyName-oversized", "companyName", new string('A', 101) },
        { "companyName-control", "companyName", "Acme\u0000Corp" },
        { "companyName-bidi-override", "companyName", "Acme \u202Eroc" },
        { "accountKey-too-short", "accountKey", "ab" },
        { "accountKey-oversized", "accountKey", new string('a', 41) },
        { "accountKey-uppercase", "accountKey", "Fabrikam-upper" },
        { "accountKey-greek-omicron", "accountKey", "c\u03BFntoso-homoglyph" },
        { "accountKey-cyrillic-a", "accountKey", "\u0430cme-homoglyph" },
        { "accountKey-kelvin-sign", "accountKey", "\u212Aey-homoglyph" },
        { "accountKey-trailing-newline", "accountKey", "newline-key\n" },
        { "accountKey-leading-hyphen", "accountKey", "-leading-hyphen" },
        { "accountKey-underscore", "accountKey", "under_score" },
        { "accountKey-reserved-admin", "accountKey", "admin" },
        { "accountKey-reserved-internal", "accountKey", "internal" },
        { "username-too-short", "username", "ab" },
        { "username-oversized", "username", new string('u', 65) },
        { "username-control", "username", "user\u0007name" },
        { "email-not-an-address", "email", "not-an-email" },
        { "email-oversized", "email", new string('e', 250) + "@example.test" },
        { "email-header-injection", "email", "x@example.test\r\nBcc: y@example.test" },
        { "email-display-name", "email", "Eve <eve@example.test>" },
        { "phone-not-a-number", "phone", "12345" },
        { "phone-letters", "phone", "+1 555 abc" },
        { "phone-control", "phone", "+385911234567\n" },
        { "password-too-short", "password", "short" },
        { "password-oversized", "password", new string('p', 600) },
        { "acceptTerms-false", "acceptTerms", false },
        { "acceptTerms-missing", "acceptTerms", null },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Bad_input_is_refused_with_problem_json_and_creates_nothing(string attack, string field, object? value)
    {
        // Two requests per case from an address of its own, well under the sign-up limit.
        using var client = platform.NewClient();
        var signup = SignupTestSupport.NewSignup();
        var valid = new Dictionary<string, object?>(signup);
        signup[field] = value;

        var refused = await client.SignUpAsync(signup);
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{attack}: {refused.StatusCode}");
        Assert.Contains(field, await refused.FieldErrorsAsync());

        // Nothing was created: the same account key, username and email are still free.
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignUpAsync(valid)).StatusCode);
    }

    [Fact]
    public async Task Malformed_json_is_refused_with_problem_json()
    {
        using var client = platform.NewClient();
        using var content = new StringContent("{\"companyName\": [1, 2", System.Text.Encoding.UTF8, "application/json");
        var response = await client.PostAsync("/api/signup", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.ProblemAsync();
        var tokens = await client.PostAsJsonAsync("/api/signup/confirm", new { token = new string('x', 5000) });
        Assert.Equal(HttpStatusCode.BadRequest, tokens.StatusCode);
        await tokens.ProblemAsync();
    }

    [Fact]
    public async Task Probing_account_keys_from_one_address_is_rate_limited()
    {
        using var client = platform.NewClient();
        for (var i = 0; i < 10; i++)
        {
            var probe = SignupTestSupport.NewSignup();
            probe["password"] = "short"; // cheap refusals: the limit counts every attempt
            Assert.Equal(HttpStatusCode.BadRequest, (await client.SignUpAsync(probe)).StatusCode);
        }
        var limited = await client.SignUpAsync(SignupTestSupport.NewSignup());
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null);
        await limited.ProblemAsync();
        // The form page shares the budget.
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["AccountKey"] = "probe" });
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync("/signup", form)).StatusCode);
    }

    [Fact]
    public async Task Unconfirmed_signups_are_removed_after_seven_days_which_frees_key_and_username()
    {
        using var client = platform.NewClient();
        var signup = SignupTestSupport.NewSignup();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignUpAsync(signup)).StatusCode);
        var token = await platform.TakeActivationTokenAsync((string)signup["email"]!);
        using var loginApi = platform.ResourceClient("login-api");
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromDays(7) + TimeSpan.FromHours(1));
            var removed = await (await loginApi.PostAsync("/internal/testing/signup-cleanup", null)).Content.ReadFromJsonAsync<int>();
            Assert.True(removed >= 1);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await client.ConfirmSignupAsync(token)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignUpAsync(signup)).StatusCode);
    }

    [Fact]
    public async Task An_activation_link_older_than_24_hours_activates_nothing()
    {
        using var client = platform.NewClient();
        var signup = SignupTestSupport.NewSignup();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignUpAsync(signup)).StatusCode);
        var token = await platform.TakeActivationTokenAsync((string)signup["email"]!);
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
            Assert.Equal(HttpStatusCode.BadRequest, (await client.ConfirmSignupAsync(token)).StatusCode);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync((string)signup["username"]!, (string)signup["password"]!)).StatusCode);
    }

    [Fact]
    public async Task The_operator_endpoint_refuses_callers_without_the_internal_key()
    {
        var body = OperatorBody(out _);
        using var outside = platform.NewClient();
        Assert.Equal(HttpStatusCode.NotFound, (await outside.PostAsJsonAsync("/internal/operator/accounts", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.OperatorCreateAsync(body, key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.OperatorCreateAsync(body, key: "not-the-key")).StatusCode);
        // Nothing was created by the refused calls: the real call still finds the key free.
        Assert.Equal(HttpStatusCode.Created, (await platform.OperatorCreateAsync(body, await InternalKeyAsync())).StatusCode);
    }

    [Fact]
    public async Task An_operator_creates_an_account_and_its_manager_gets_the_invitation()
    {
        var body = OperatorBody(out var email);
        var key = await InternalKeyAsync();
        var created = await platform.OperatorCreateAsync(body, key);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await platform.OperatorCreateAsync(body, key)).StatusCode);
        var bad = await platform.OperatorCreateAsync(new { key = "c\u03BFntoso-op", name = "X", username = "x-op-user", email = "x@example.test" }, key);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("key", await bad.FieldErrorsAsync());

        var token = await platform.TakeLinkTokenAsync(email, PasswordResetTestSupport.InviteSubject);
        using var client = platform.NewClient();
        var password = PasswordResetTestSupport.StrongPassword();
        Assert.Equal(HttpStatusCode.OK, (await client.ResetAsync(token, password)).StatusCode);
        using var manager = platform.NewClient();
        await platform.SignInAsync(manager, (string)body["username"]!, password, email, (string)body["phone"]!);
        var audit = Assert.Single(await manager.AuditAsync("account.created"));
        Assert.Equal("operator", audit.GetProperty("reason").GetString());
        Assert.NotEmpty(await manager.AuditAsync("user.invited"));
    }

    [Fact]
    public async Task The_dashboard_command_create_account_invites_the_first_account_manager()
    {
        var body = OperatorBody(out var email);
        var commands = platform.App.Services.GetRequiredService<ResourceCommandService>();
#pragma warning disable ASPIREINTERACTION001
        var inputs = new InteractionInputCollection([.. body.Select(p => new InteractionInput
        {
            Name = p.Key, Label = p.Key, InputType = InputType.Text, Value = (string?)p.Value,
        })]);
#pragma warning restore ASPIREINTERACTION001
        var result = await commands.ExecuteCommandAsync("login-api", "create-account", inputs, CancellationToken.None);
        Assert.True(result.Success, result.Message);
        await platform.TakeLinkTokenAsync(email, PasswordResetTestSupport.InviteSubject);
    }

    [Fact]
    public async Task No_signup_password_or_activation_token_appears_in_any_log_or_span()
    {
        using var client = platform.NewClient();
        var signup = SignupTestSupport.NewSignup("leak");
        var password = (string)signup["password"]!;
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignUpAsync(signup)).StatusCode);
        var token = await platform.TakeActivationTokenAsync((string)signup["email"]!);
        await client.GetAsync($"/signup/confirm?token={token}");
        Assert.Equal(HttpStatusCode.OK, (await client.ConfirmSignupAsync(token)).StatusCode);

        await Task.Delay(3000); // let the last log lines arrive
        var lines = platform.ResourceLogLines.ToList();
        foreach (var resource in new[] { "gateway", "login-api", "notifications-worker" })
        {
            using var http = platform.ResourceClient(resource);
            var spans = await http.GetFromJsonAsync<SpanRecordView[]>("/testing/spans", PlatformFixture.JsonOptions);
            lines.AddRange(spans!.SelectMany(span => span.Tags.Select(t => $"{span.Name} {t.Key}={t.Value}")));
        }
        foreach (var secret in new[] { password, token })
        {
            var leak = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"a secret reached a log: {leak?.Replace(secret, "<secret>")}");
        }
    }

    private static string WithoutTraceId(JsonElement problem) =>
        string.Join("\n", problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    private static Dictionary<string, object?> OperatorBody(out string email)
    {
        var id = $"op-{Guid.NewGuid():N}"[..20];
        email = $"{id}@example.test";
        return new() { ["key"] = id, ["name"] = $"Operator Co {id}", ["username"] = $"{id}.mgr", ["email"] = email, ["phone"] = "+385911234568", ["language"] = "en" };
    }

    private async Task<string> InternalKeyAsync()
    {
        var parameter = platform.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(r => r.Name == "internal-api-key");
        return (await parameter.GetValueAsync(CancellationToken.None))!;
    }
}
