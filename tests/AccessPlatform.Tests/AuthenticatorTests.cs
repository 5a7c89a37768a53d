using System.Text;
using System.Text.Json;
using Npgsql;
using OtpNet;

namespace AccessPlatform.Tests;

/// <summary>
/// The authenticator app as a third channel (RFC 6238), each code usable once (ASVS 6.5.1); changes to it need a
/// recent re-authentication (ASVS 7.5.1), are emailed (ASVS 6.3.7) and audited; its secret is encrypted at rest.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AuthenticatorTests(PlatformFixture platform)
{
    [Fact]
    public async Task An_enrolled_authenticator_completes_a_new_device_login_and_its_code_works_only_once()
    {
        var user = await platform.CreateUserAsync("totp", phone: "+385911230044");
        using var account = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await account.LoginAsync(user.Username, user.Password)).StatusCode);
        var enrolment = await (await account.PostAsync("/api/auth/authenticator", null)).Content.ReadFromJsonAsync<JsonElement>();
        var secret = enrolment.GetProperty("secret").GetString()!;
        Assert.StartsWith("otpauth://totp/", enrolment.GetProperty("otpAuthUri").GetString());
        var totp = new Totp(Base32Encoding.ToBytes(secret));

        Assert.Equal(HttpStatusCode.BadRequest, (await account.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = "000000" == totp.ComputeTotp() ? "111111" : "000000" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await account.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = totp.ComputeTotp() })).StatusCode);

        // A new device now offers only the app: the strongest factor the user has.
        using var laptop = platform.NewClient(newDevice: true);
        var login = await (await laptop.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["totp"], login.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()));
        var flowId = login.GetProperty("flowId").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await laptop.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "totp" })).StatusCode);

        // The code used at enrolment is spent; wait for the next time step.
        var step = DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond / 30;
        while (DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond / 30 == step)
        {
            await Task.Delay(250);
        }
        var code = totp.ComputeTotp();
        Assert.Equal(HttpStatusCode.OK, (await laptop.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);

        // The same code on another new device is refused: a TOTP code is accepted once.
        using var phone = platform.NewClient(newDevice: true);
        var second = await (await phone.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        var secondFlow = second.GetProperty("flowId").GetString()!;
        await phone.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId = secondFlow, channel = "totp" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId = secondFlow, code })).StatusCode);
    }

    private const string ReauthenticationRequired = "https://access-platform/problems/reauthentication-required";

    [Fact]
    public async Task A_stolen_session_cannot_enrol_replace_or_remove_the_authenticator_without_the_password()
    {
        var (user, manager) = await UsersAsync("reauth");
        using var victim = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await victim.LoginAsync(user.Username, user.Password)).StatusCode);
        var totp = await EnrolAsync(victim);
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == "An authenticator app was added to your account");
        var storedBefore = await StoredSecretAsync(user.Id);
        try
        {
            // The session is 6 minutes old and never re-authenticated: what a stolen cookie looks like.
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            foreach (var attempt in new Func<Task<HttpResponseMessage>>[]
            {
                () => victim.PostAsync("/api/auth/authenticator", null),
                () => victim.PostAsJsonAsync("/api/auth/authenticator/replace", new { code = CodeAt(totp, 1) }),
                () => victim.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = CodeAt(totp, 1) }),
                () => victim.DeleteAsync("/api/auth/authenticator"),
            })
            {
                var response = await attempt();
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal(ReauthenticationRequired, (await response.ProblemAsync()).GetProperty("type").GetString());
            }
            Assert.Equal(storedBefore, await StoredSecretAsync(user.Id));

            // A wrong password does not open the window; the right one does.
            var wrong = await victim.PostAsJsonAsync("/api/auth/reauthenticate", new { password = "not-" + user.Password });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            await wrong.ProblemAsync();
            Assert.Equal(HttpStatusCode.Forbidden, (await victim.DeleteAsync("/api/auth/authenticator")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await victim.PostAsJsonAsync("/api/auth/reauthenticate", new { password = user.Password })).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await victim.DeleteAsync("/api/auth/authenticator")).StatusCode);
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
        Assert.Null(await StoredSecretAsync(user.Id));
        var removed = await platform.WaitForEmailAsync(user.Email, m => m.Subject == "The authenticator app was removed from your account");
        Assert.Contains(user.Username, removed.PlainText);
        using var admin = await platform.SignedInManagerAsync(manager);
        var types = await AuditTypesAsync(admin, user.Id);
        Assert.Contains("2fa.authenticator_enrolled", types);
        Assert.Contains("2fa.authenticator_removed", types);
        Assert.Contains("session.reauthentication_failed", types);
        Assert.Contains("session.reauthenticated", types);
    }

    [Fact]
    public async Task Guessing_the_password_through_a_stolen_session_locks_the_account_like_a_login()
    {
        var user = await platform.CreateUserAsync("reauth-guess");
        using var thief = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await thief.LoginAsync(user.Username, user.Password)).StatusCode);
        for (var guess = 0; guess < 5; guess++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized,
                (await thief.PostAsJsonAsync("/api/auth/reauthenticate", new { password = $"guess-{guess}-{Guid.NewGuid():N}" })).StatusCode);
        }
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == "Your account has been locked");
        // Locked: even the right password is no longer checked, here or at the login.
        var locked = await thief.PostAsJsonAsync("/api/auth/reauthenticate", new { password = user.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        await locked.ProblemAsync();
        using var other = platform.NewClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.LoginAsync(user.Username, user.Password)).StatusCode);
    }

    [Fact]
    public async Task A_second_app_cannot_be_enrolled_over_the_first_and_replacing_needs_a_code_of_the_current_app()
    {
        var (user, manager) = await UsersAsync("replace");
        using var account = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await account.LoginAsync(user.Username, user.Password)).StatusCode);
        var current = await EnrolAsync(account);
        var enrolled = await StoredSecretAsync(user.Id);

        var again = await account.PostAsync("/api/auth/authenticator", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("https://access-platform/problems/authenticator-already-enrolled", (await again.ProblemAsync()).GetProperty("type").GetString());

        var wrongCode = CodeAt(current, 1) == "000000" ? "111111" : "000000";
        var refused = await account.PostAsJsonAsync("/api/auth/authenticator/replace", new { code = wrongCode });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        await refused.ProblemAsync();
        Assert.Equal(enrolled, await StoredSecretAsync(user.Id));

        // The code of the enrolment step is spent; the next step's code (within the skew) proves the app.
        var started = await account.PostAsJsonAsync("/api/auth/authenticator/replace", new { code = CodeAt(current, 1) });
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        var replacement = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        Assert.Equal(enrolled, await StoredSecretAsync(user.Id)); // the current app keeps working until the new one is confirmed
        var next = new Totp(Base32Encoding.ToBytes(replacement));
        Assert.Equal(HttpStatusCode.NoContent, (await account.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = next.ComputeTotp() })).StatusCode);
        Assert.NotEqual(enrolled, await StoredSecretAsync(user.Id));
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == "Your authenticator app was replaced");

        // A new device now completes its login with the new app.
        using var laptop = platform.NewClient(newDevice: true);
        var login = await (await laptop.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        var flowId = login.GetProperty("flowId").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await laptop.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "totp" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code = CodeAt(next, 1) })).StatusCode);

        using var admin = await platform.SignedInManagerAsync(manager);
        var types = await AuditTypesAsync(admin, user.Id);
        Assert.Contains("2fa.authenticator_replaced", types);
        Assert.Contains("2fa.failed", types); // the wrong code of the current app
    }

    [Fact]
    public async Task A_pending_secret_fetched_earlier_cannot_be_confirmed_later()
    {
        var user = await platform.CreateUserAsync("pending");
        using var account = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await account.LoginAsync(user.Username, user.Password)).StatusCode);
        var first = await BeginAsync(account);
        var second = await BeginAsync(account);
        Assert.NotEqual(first, second);

        // The secret an onlooker saw in the first tab is void once a new enrolment started.
        var stale = await account.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = new Totp(Base32Encoding.ToBytes(first)).ComputeTotp() });
        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        await stale.ProblemAsync();
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(11));
            Assert.Equal(HttpStatusCode.NoContent, (await account.PostAsJsonAsync("/api/auth/reauthenticate", new { password = user.Password })).StatusCode);
            var expired = await account.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = new Totp(Base32Encoding.ToBytes(second)).ComputeTotp() });
            Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
            await expired.ProblemAsync();
            Assert.Null(await StoredSecretAsync(user.Id));
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Malformed_authenticator_and_reauthentication_input_answers_problem_json_and_changes_nothing()
    {
        var user = await platform.CreateUserAsync("bad-input");
        using var account = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await account.LoginAsync(user.Username, user.Password)).StatusCode);
        var pending = await BeginAsync(account);
        var bodies = new (string Route, HttpContent Body)[]
        {
            ("/api/auth/authenticator/confirm", Json("{}")),
            ("/api/auth/authenticator/confirm", Json("""{"code":123456}""")),
            ("/api/auth/authenticator/confirm", Json("""{"code":["123456"]}""")),
            ("/api/auth/authenticator/confirm", Json("""{"code":"12345"}""")),
            ("/api/auth/authenticator/confirm", Json("""{"code":"12345a"}""")),
            ("/api/auth/authenticator/confirm", Json($$"""{"code":"{{new string('1', 20_000)}}"}""")),
            ("/api/auth/authenticator/confirm", Json("{\"code\":")),
            ("/api/auth/authenticator/confirm", new StringContent("code=123456", Encoding.UTF8, "application/x-www-form-urlencoded")),
            ("/api/auth/authenticator/replace", Json("""{"code":null}""")),
            ("/api/auth/authenticator/replace", Json("[]")),
            ("/api/auth/reauthenticate", Json("{}")),
            ("/api/auth/reauthenticate", Json("""{"password":42}""")),
            ("/api/auth/reauthenticate", Json($$"""{"password":"{{new string('p', 600)}}"}""")),
        };
        foreach (var (route, body) in bodies)
        {
            var response = await account.PostAsync(route, body);
            Assert.True(response.StatusCode is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError, $"{route}: {response.StatusCode}");
            await response.ProblemAsync();
        }
        // Nothing changed: the pending secret is still the one issued, and it still confirms.
        Assert.Null(await StoredSecretAsync(user.Id));
        Assert.Equal(HttpStatusCode.NoContent,
            (await account.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = new Totp(Base32Encoding.ToBytes(pending)).ComputeTotp() })).StatusCode);
    }

    [Fact]
    public async Task The_authenticator_secret_is_not_readable_from_the_database_and_logins_with_the_app_still_work()
    {
        var user = await platform.CreateUserAsync("totp-at-rest");
        using var account = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await account.LoginAsync(user.Username, user.Password)).StatusCode);
        var secret = await BeginAsync(account);
        var pendingStored = await StoredSecretAsync(user.Id, "totp_pending_secret");
        Assert.DoesNotContain(secret, pendingStored);
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        Assert.Equal(HttpStatusCode.NoContent, (await account.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = totp.ComputeTotp() })).StatusCode);

        var stored = await StoredSecretAsync(user.Id);
        Assert.NotNull(stored);
        Assert.NotEqual(secret, stored);
        Assert.DoesNotContain(secret, stored);
        Assert.StartsWith("dp1:", stored);

        using var laptop = platform.NewClient(newDevice: true);
        var login = await (await laptop.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        var flowId = login.GetProperty("flowId").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await laptop.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "totp" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code = CodeAt(totp, 1) })).StatusCode);
    }

    [Fact]
    public async Task A_plain_text_secret_planted_in_the_database_does_not_pass_the_second_factor()
    {
        // Someone who can write to the users table (an injection elsewhere, a stolen backup restored) sets a secret they know.
        var user = await platform.CreateUserAsync("totp-planted", trustDevice: false);
        var planted = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));
        await using (var db = await OpenLoginDbAsync())
        await using (var command = new NpgsqlCommand("UPDATE users SET totp_secret = @secret WHERE id = @id", db))
        {
            command.Parameters.AddWithValue("secret", planted);
            command.Parameters.AddWithValue("id", user.Id);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        using var client = platform.NewClient(newDevice: true);
        var login = await (await client.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        var flowId = login.GetProperty("flowId").GetString()!;
        await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "totp" });
        var verify = await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code = new Totp(Base32Encoding.ToBytes(planted)).ComputeTotp() });
        Assert.NotEqual(HttpStatusCode.OK, verify.StatusCode);
        Assert.False(verify.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ap_session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Plain_text_secrets_of_an_older_version_are_encrypted_at_start_up_and_keep_working()
    {
        // A row as the version before encryption wrote it; then the start-up step of the new version runs (a test hook
        // runs it again, since this platform started on a fresh database).
        var user = await platform.CreateUserAsync("totp-legacy", trustDevice: false);
        var legacy = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));
        await ExecuteAsync("UPDATE users SET totp_secret = @value WHERE id = @id", legacy, user.Id);
        using (var loginApi = platform.ResourceClient("login-api"))
        {
            (await loginApi.PostAsync("/internal/testing/startup-migrations/totp-secret-encryption", null)).EnsureSuccessStatusCode();
        }

        var stored = await StoredSecretAsync(user.Id);
        Assert.StartsWith("dp1:", stored);
        Assert.DoesNotContain(legacy, stored);
        using var client = platform.NewClient(newDevice: true);
        var login = await (await client.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        var flowId = login.GetProperty("flowId").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "totp" })).StatusCode);
        var code = new Totp(Base32Encoding.ToBytes(legacy)).ComputeTotp();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);
    }

    private async Task ExecuteAsync(string sql, string value, Guid id)
    {
        await using var db = await OpenLoginDbAsync();
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("value", value);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<(TestUser User, TestUser Manager)> UsersAsync(string prefix)
    {
        var account = PasswordResetTestSupport.NewAccount();
        return (await platform.CreateUserAsync(prefix, account: account),
            await platform.CreateUserAsync(prefix + "-mgr", account: account, roles: ["AccountManager", "User"]));
    }

    private static async Task<string> BeginAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/auth/authenticator", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
    }

    private static async Task<Totp> EnrolAsync(HttpClient client)
    {
        var totp = new Totp(Base32Encoding.ToBytes(await BeginAsync(client)));
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = totp.ComputeTotp() })).StatusCode);
        return totp;
    }

    /// <summary>The code <paramref name="steps"/> time steps ahead: inside the server's skew, and newer than a code just spent.</summary>
    private static string CodeAt(Totp totp, int steps) => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30 * steps));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<string[]> AuditTypesAsync(HttpClient admin, Guid userId) =>
        [.. (await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={userId}"))!.Select(e => e.GetProperty("type").GetString()!)];

    private async Task<NpgsqlConnection> OpenLoginDbAsync()
    {
        var connection = new NpgsqlConnection(await platform.App.GetConnectionStringAsync("login-db"));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The value as Postgres holds it, read beside the platform (what a database dump would show).</summary>
    private async Task<string?> StoredSecretAsync(Guid userId, string column = "totp_secret")
    {
        await using var db = await OpenLoginDbAsync();
        await using var command = new NpgsqlCommand($"SELECT {column} FROM users WHERE id = @id", db);
        command.Parameters.AddWithValue("id", userId);
        return await command.ExecuteScalarAsync() as string;
    }
}
