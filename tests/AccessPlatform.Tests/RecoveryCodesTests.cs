using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace AccessPlatform.Tests;

/// <summary>
/// Recovery codes through the gateway (ASVS 5.0 6.5.1 single use, 6.5.2 stored hashed, 6.3.7 the user is told,
/// 7.5.1 generating needs a recent re-authentication): 10 codes of 10 characters, each usable once in place of the
/// second factor, a new set voids the old one, every use emails the number left.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class RecoveryCodesTests(PlatformFixture platform)
{
    private const string ReauthenticationRequired = "https://access-platform/problems/reauthentication-required";

    private static string UsedSubject => Resx.Text(RecoveryCodeTestSupport.Resource, "en", "Email_RecoveryUsed_Subject");

    [Fact]
    public async Task A_recovery_code_signs_in_on_a_new_device_once_and_its_reuse_is_refused()
    {
        var user = await platform.CreateUserAsync("recovery");
        var codes = await platform.GenerateRecoveryCodesAsync(user);
        Assert.Equal(10, codes.Length);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches(CodeShape(), code));
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == Resx.Text(RecoveryCodeTestSupport.Resource, "en", "Email_RecoveryGenerated_Subject"));

        using var laptop = platform.NewClient(newDevice: true);
        var flowId = await RecoveryCodeTestSupport.PendingFlowAsync(laptop, user);
        var signedIn = await laptop.PostAsJsonAsync("/api/auth/second-factor/recovery-code", new { flowId, code = codes[0] });
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal("signed-in", (await signedIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var used = await platform.WaitForEmailAsync(user.Email, m => m.Subject == UsedSubject);
        Assert.Contains("Recovery codes remaining: 9.", used.PlainText);
        Assert.DoesNotContain(codes[0], used.PlainText);

        // The same code again, on another new device: refused like a wrong code, and the flow lives on.
        using var phone = platform.NewClient(newDevice: true);
        var again = await RecoveryCodeTestSupport.PendingFlowAsync(phone, user);
        var reused = await phone.PostAsJsonAsync("/api/auth/second-factor/recovery-code", new { flowId = again, code = codes[0] });
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Equal("https://access-platform/problems/wrong-code", (await reused.ProblemAsync()).GetProperty("type").GetString());

        // Typed the forgiving way (lower case, no hyphen, O for 0): the next code still works, and one fewer is left.
        var typed = codes[1].Replace("-", "").ToLowerInvariant().Replace('0', 'o');
        Assert.Equal(HttpStatusCode.OK, (await phone.PostAsJsonAsync("/api/auth/second-factor/recovery-code", new { flowId = again, code = typed })).StatusCode);
        await platform.WaitForEmailAsync(user.Email, m => m.Subject == UsedSubject && m.PlainText.Contains("Recovery codes remaining: 8."));
        var summary = await phone.GetFromJsonAsync<JsonElement>("/api/auth/recovery-codes");
        Assert.Equal(8, summary.GetProperty("remaining").GetInt32());

        var manager = await platform.CreateUserAsync("recovery-mgr", roles: ["AccountManager"]);
        using var admin = await platform.SignedInManagerAsync(manager);
        var events = await admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?userId={user.Id}");
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "2fa.recovery_codes_generated");
        Assert.Equal(2, events!.Count(e => e.GetProperty("type").GetString() == "2fa.recovery_code_used"));
        Assert.Contains(events!, e => e.GetProperty("type").GetString() == "2fa.failed" && e.GetProperty("reason").GetString() == "wrong-recovery-code");
    }

    [Fact]
    public async Task Generating_new_recovery_codes_voids_the_old_set()
    {
        var user = await platform.CreateUserAsync("regen");
        var old = await platform.GenerateRecoveryCodesAsync(user);
        var fresh = await platform.GenerateRecoveryCodesAsync(user);
        Assert.Empty(old.Intersect(fresh));

        using var laptop = platform.NewClient(newDevice: true);
        var flowId = await RecoveryCodeTestSupport.PendingFlowAsync(laptop, user);
        foreach (var code in old.Take(2))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await laptop.PostAsJsonAsync("/api/auth/second-factor/recovery-code", new { flowId, code })).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await laptop.PostAsJsonAsync("/api/auth/second-factor/recovery-code", new { flowId, code = fresh[0] })).StatusCode);
    }

    [Fact]
    public async Task Two_parallel_uses_of_one_recovery_code_let_only_one_sign_in()
    {
        var user = await platform.CreateUserAsync("race");
        var codes = await platform.GenerateRecoveryCodesAsync(user);
        var clients = Enumerable.Range(0, 4).Select(_ => platform.NewClient(newDevice: true)).ToArray();
        try
        {
            var flows = new string[clients.Length];
            for (var i = 0; i < clients.Length; i++)
            {
                flows[i] = await RecoveryCodeTestSupport.PendingFlowAsync(clients[i], user);
            }
            var answers = await Task.WhenAll(clients.Select((client, i) =>
                client.PostAsJsonAsync("/api/auth/second-factor/recovery-code", new { flowId = flows[i], code = codes[3] })));
            Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            Assert.Equal(clients.Length - 1, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task Parallel_generations_all_succeed_and_leave_exactly_one_set()
    {
        var user = await platform.CreateUserAsync("regen-race");
        using var client = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.PostAsync("/api/auth/recovery-codes", null)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(10, await platform.UserRecoveryCodesLeftAsync(user));
    }

    [Fact]
    public async Task Recovery_codes_are_stored_only_as_keyed_hashes()
    {
        var user = await platform.CreateUserAsync("stored");
        var codes = await platform.GenerateRecoveryCodesAsync(user);
        await using var db = new NpgsqlConnection(await platform.App.GetConnectionStringAsync("login-db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT s.hmac_key, c.code_hash FROM recovery_codes c JOIN recovery_code_sets s USING (user_id) WHERE user_id = @id", db);
        command.Parameters.AddWithValue("id", user.Id);
        var rows = new List<(string Key, byte[] Hash)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), (byte[])reader[1]));
            }
        }
        Assert.Equal(10, rows.Count);
        var plain = codes.Select(c => c.Replace("-", "")).ToArray();
        foreach (var (key, hash) in rows)
        {
            // The key is a Data Protection payload (its magic header reads "CfDJ8"), not the raw HMAC key; no row is
            // the plain code or its bare SHA-256.
            Assert.StartsWith("CfDJ8", key);
            Assert.DoesNotContain(plain, code => SHA256.HashData(Encoding.ASCII.GetBytes(code)).SequenceEqual(hash) || Encoding.ASCII.GetBytes(code).SequenceEqual(hash));
        }
    }

    [Fact]
    public async Task Generating_recovery_codes_through_a_stolen_session_needs_the_password()
    {
        var user = await platform.CreateUserAsync("recovery-sudo");
        using var victim = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await victim.LoginAsync(user.Username, user.Password)).StatusCode);
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            var refused = await victim.PostAsync("/api/auth/recovery-codes", null);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal(ReauthenticationRequired, (await refused.ProblemAsync()).GetProperty("type").GetString());
            Assert.Equal(0, (await victim.GetFromJsonAsync<JsonElement>("/api/auth/recovery-codes")).GetProperty("remaining").GetInt32());

            Assert.Equal(HttpStatusCode.NoContent, (await victim.PostAsJsonAsync("/api/auth/reauthenticate", new { password = user.Password })).StatusCode);
            var generated = await victim.PostAsync("/api/auth/recovery-codes", null);
            Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
            Assert.Contains("no-store", generated.Headers.CacheControl?.ToString());
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Theory]
    [InlineData("{\"flowId\":\"x\"}")]
    [InlineData("{\"flowId\":\"x\",\"code\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}")]
    [InlineData("{\"code\":\"ABCDE-12345\"}")]
    [InlineData("[1,2,3]")]
    public async Task A_malformed_recovery_code_request_is_a_problem_and_changes_nothing(string body)
    {
        using var client = platform.NewClient(newDevice: true);
        var response = await client.PostAsync("/api/auth/second-factor/recovery-code", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.ProblemAsync();
    }

    [GeneratedRegex("^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")]
    private static partial Regex CodeShape();
}

public static class RecoveryCodeTestSupport
{
    public const string Resource = "Login.Api/Resources/RecoveryResource";

    /// <summary>Signs in on the trusted test device (a fresh session, so within the re-authentication window) and generates a set.</summary>
    public static async Task<string[]> GenerateRecoveryCodesAsync(this PlatformFixture platform, TestUser user)
    {
        using var client = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
        var response = await client.PostAsync("/api/auth/recovery-codes", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("codes").EnumerateArray().Select(c => c.GetString()!)];
    }

    /// <summary>How many of the user's recovery codes are unused, as Postgres holds it.</summary>
    public static async Task<long> UserRecoveryCodesLeftAsync(this PlatformFixture platform, TestUser user)
    {
        await using var db = new Npgsql.NpgsqlConnection(await platform.App.GetConnectionStringAsync("login-db"));
        await db.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM recovery_codes WHERE user_id = @id AND used_at IS NULL", db);
        command.Parameters.AddWithValue("id", user.Id);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Password on a new device: the flow waiting for the second factor.</summary>
    public static async Task<string> PendingFlowAsync(HttpClient client, TestUser user)
    {
        var login = await client.LoginAsync(user.Username, user.Password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("second-factor-required", body.GetProperty("status").GetString());
        return body.GetProperty("flowId").GetString()!;
    }
}
