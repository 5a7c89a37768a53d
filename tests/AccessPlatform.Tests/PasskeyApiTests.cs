using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>
/// The passkey APIs through the gateway as an attacker would use them: a stolen session cannot add or remove passkeys
/// without re-authenticating (ASVS 7.5.1); challenges are single use and bound to the client or session that asked
/// (no replay, no use from elsewhere); hostile input answers 4xx problem+json; the account policy is audited.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PasskeyApiTests(PlatformFixture platform)
{
    private const string ReauthenticationRequired = "https://access-platform/problems/reauthentication-required";

    /// <summary>A well-formed credential that no authenticator made (its signature signs nothing).</summary>
    private static object ForgedAssertion() => new
    {
        id = "AAAAAAAAAAAAAAAAAAAAAA",
        rawId = "AAAAAAAAAAAAAAAAAAAAAA",
        type = "public-key",
        response = new { clientDataJSON = "e30", authenticatorData = "AAAA", signature = "AAAA", userHandle = "AAAA" },
        clientExtensionResults = new { },
    };

    private static object ForgedAttestation() => new
    {
        id = "AAAAAAAAAAAAAAAAAAAAAA",
        rawId = "AAAAAAAAAAAAAAAAAAAAAA",
        type = "public-key",
        response = new { clientDataJSON = "e30", attestationObject = "oA" },
        clientExtensionResults = new { },
    };

    [Fact]
    public async Task A_stolen_session_cannot_add_or_remove_a_passkey_without_reauthenticating()
    {
        var user = await platform.CreateUserAsync("pk-sudo");
        using var victim = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await victim.LoginAsync(user.Username, user.Password)).StatusCode);
        try
        {
            // The session is 6 minutes old and never re-authenticated: what a stolen cookie looks like.
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            foreach (var attempt in new Func<Task<HttpResponseMessage>>[]
            {
                () => victim.PostAsync("/api/account/passkeys/registration/options", JsonContent.Create(new { })),
                () => victim.PostAsJsonAsync("/api/account/passkeys", new { name = "Attacker key", credential = ForgedAttestation() }),
                () => victim.DeleteAsync($"/api/account/passkeys/{Guid.NewGuid()}"),
            })
            {
                var response = await attempt();
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal(ReauthenticationRequired, (await response.ProblemAsync()).GetProperty("type").GetString());
            }
            // Renaming is no change of sign-in methods: no re-authentication, and someone else's (or no) passkey is not found.
            Assert.Equal(HttpStatusCode.NotFound, (await victim.PatchAsJsonAsync($"/api/account/passkeys/{Guid.NewGuid()}", new { name = "x" })).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await victim.PostAsJsonAsync("/api/auth/reauthenticate", new { password = user.Password })).StatusCode);
            var options = await victim.PostAsync("/api/account/passkeys/registration/options", JsonContent.Create(new { }));
            Assert.Equal(HttpStatusCode.OK, options.StatusCode);
            var creation = await options.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("localhost", creation.GetProperty("rp").GetProperty("id").GetString());
            Assert.Equal("required", creation.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());
            Assert.Equal("required", creation.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
            Assert.Equal("none", creation.GetProperty("attestation").GetString());
            Assert.True(creation.GetProperty("challenge").GetString()!.Length >= 43); // 32 bytes, base64url
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }
        Assert.Empty((await victim.GetFromJsonAsync<JsonElement[]>("/api/account/passkeys"))!);
    }

    [Fact]
    public async Task A_forged_registration_is_refused_and_its_challenge_cannot_be_replayed()
    {
        var user = await platform.CreateUserAsync("pk-forge");
        using var client = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, user.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/account/passkeys/registration/options", JsonContent.Create(new { }))).StatusCode);

        var forged = await client.PostAsJsonAsync("/api/account/passkeys", new { name = "Forged", credential = ForgedAttestation() });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("https://access-platform/problems/passkey-refused", (await forged.ProblemAsync()).GetProperty("type").GetString());

        var replay = await client.PostAsJsonAsync("/api/account/passkeys", new { name = "Forged", credential = ForgedAttestation() });
        Assert.Equal(HttpStatusCode.Gone, replay.StatusCode);
        Assert.Equal("https://access-platform/problems/passkey-challenge-gone", (await replay.ProblemAsync()).GetProperty("type").GetString());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>("/api/account/passkeys"))!);

        foreach (var name in new[] { "", "   ", new string('x', 65), "tab\there" })
        {
            var invalid = await client.PostAsJsonAsync("/api/account/passkeys", new { name, credential = ForgedAttestation() });
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            await invalid.ProblemAsync();
        }
    }

    [Fact]
    public async Task A_passkey_assertion_from_another_client_or_a_replayed_challenge_is_refused()
    {
        using var attacker = platform.NewClient(newDevice: true);
        using var victim = platform.NewClient(newDevice: true);

        // No challenge issued to this client: nothing to answer.
        var unbound = await attacker.PostAsJsonAsync("/api/auth/passkey/login", new { credential = ForgedAssertion() });
        Assert.Equal(HttpStatusCode.Gone, unbound.StatusCode);
        Assert.Equal("https://access-platform/problems/passkey-challenge-gone", (await unbound.ProblemAsync()).GetProperty("type").GetString());

        // The victim's challenge does not travel to the attacker (it is bound to the victim's cookie).
        var options = await victim.PostAsync("/api/auth/passkey/options", JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        var request = await options.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("required", request.GetProperty("userVerification").GetString());
        Assert.Equal("localhost", request.GetProperty("rpId").GetString());
        Assert.Equal(HttpStatusCode.Gone, (await attacker.PostAsJsonAsync("/api/auth/passkey/login", new { credential = ForgedAssertion() })).StatusCode);

        // A credential nobody registered: refused like a wrong password, and the challenge is spent.
        var refused = await victim.PostAsJsonAsync("/api/auth/passkey/login", new { credential = ForgedAssertion() });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("https://access-platform/problems/invalid-credentials", (await refused.ProblemAsync()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Gone, (await victim.PostAsJsonAsync("/api/auth/passkey/login", new { credential = ForgedAssertion() })).StatusCode);
    }

    [Theory]
    [InlineData("{\"credential\": {\"rawId\": 5}}")]
    [InlineData("{\"credential\": {\"rawId\": \"%%%\", \"response\": {}}}")]
    [InlineData("{\"credential\": null}")]
    [InlineData("[]")]
    public async Task Hostile_passkey_login_bodies_answer_400_problem_json(string body)
    {
        using var client = platform.NewClient(newDevice: true);
        await client.PostAsync("/api/auth/passkey/options", JsonContent.Create(new { }));

        var response = await client.PostAsync("/api/auth/passkey/login", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.ProblemAsync();
    }

    [Fact]
    public async Task The_passkey_policy_is_audited_and_asks_users_without_one_to_add_it_after_signing_in()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("pk-pol-mgr", account: account, roles: ["AccountManager", "User"]);
        var user = await platform.CreateUserAsync("pk-pol-user", account: account);
        using var admin = await platform.SignedInManagerAsync(manager);
        var initial = await admin.GetFromJsonAsync<JsonElement>("/api/admin/account/policies");
        Assert.False(initial.GetProperty("everyoneMustUsePasskey").GetBoolean());
        Assert.False(initial.GetProperty("accountManagersMustUsePasskey").GetBoolean());
        using (var before = platform.NewClient())
        {
            var login = await (await before.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(login.TryGetProperty("passkeyRequired", out var required) && required.ValueKind == JsonValueKind.True);
        }

        var set = await admin.PutAsJsonAsync("/api/admin/account/policies", new { secondFactorFallback = false, everyoneMustUsePasskey = true });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.True((await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("everyoneMustUsePasskey").GetBoolean());

        using var after = platform.NewClient();
        var signedIn = await (await after.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("signed-in", signedIn.GetProperty("status").GetString());
        Assert.True(signedIn.GetProperty("passkeyRequired").GetBoolean());
        var audit = await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/audit?type=admin.account_policy_changed");
        Assert.Contains(audit!, e => e.GetProperty("reason").GetString() == "passkeys-required:everyone");

        var off = await admin.PutAsJsonAsync("/api/admin/account/policies", new { secondFactorFallback = false, everyoneMustUsePasskey = false });
        Assert.False((await off.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("everyoneMustUsePasskey").GetBoolean());
    }
}
