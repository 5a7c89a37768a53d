using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Npgsql;

namespace AccessPlatform.Tests;

/// <summary>
/// IdP metadata by URL (issue 16), through the gateway: fetched at save time from an https server on loopback (the
/// fixture explicitly allows loopback, as only tests may), an IdP certificate rollover taken over by the background
/// refresh and by "Fetch metadata now", audited and emailed; a failing URL keeps the last good metadata and shows the
/// error; and the SSRF attacks an Account Manager's URL could try (ASVS 12.6.1).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SsoMetadataUrlTests(PlatformFixture platform, SamlIdpFixture idp) : IClassFixture<SamlIdpFixture>, IDisposable
{
    private readonly TestMetadataServer server = new();

    [Fact]
    public async Task Metadata_url_is_fetched_at_save_and_an_idp_certificate_rollover_is_taken_over_by_the_refresh_audited_and_emailed()
    {
        var (admin, manager, key) = await ManagerAsync();
        server.Document = Metadata("primary");

        var saved = await admin.PutAsJsonAsync("/api/admin/sso", new { metadataUrl = server.MetadataUrl.ToString(), linkExistingUsersByEmail = true });

        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var view = await saved.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(server.MetadataUrl.ToString(), view.GetProperty("metadata").GetProperty("url").GetString());
        Assert.NotEqual(JsonValueKind.Null, view.GetProperty("metadata").GetProperty("fetchedAt").ValueKind);
        Assert.Equal([Thumbprint("primary")], Thumbprints(view));
        Assert.Equal(SamlIdpFixture.EntityId, view.GetProperty("idpEntityId").GetString());

        // The IdP publishes its next certificate beside the current one: the background refresh (aged here, in place of
        // 12 hours passing) takes it in; both are accepted. The change is audited without a person and emailed.
        server.Document = Metadata("primary", "secondary");
        await AgeMetadataAsync(key);
        view = await WaitForAsync(admin, v => Thumbprints(v).Length == 2);
        Assert.Equal(new[] { Thumbprint("primary"), Thumbprint("secondary") }.Order(), Thumbprints(view).Order());
        var audit = await admin.GetFromJsonAsync<AuditEntry[]>("/api/admin/audit?limit=20", PlatformFixture.JsonOptions) ?? [];
        Assert.Contains(audit, e => e.Type == "sso.settings_changed" && e.Reason!.StartsWith("IdP metadata refresh: ")
            && e.Reason.Contains($"IdP certificate added: SHA-256 {Thumbprint("secondary")}"));
        var mail = await platform.WaitForEmailAsync(manager.Email, m => m.PlainText.Contains(Thumbprint("secondary")));
        Assert.Contains("IdP metadata refresh (automatic)", mail.PlainText);

        // The IdP drops the old certificate: "Fetch metadata now" follows, and a response signed with the new key signs in.
        server.Document = Metadata("secondary");
        Assert.True((await admin.PostAsync("/api/admin/sso/metadata/refresh", null)).IsSuccessStatusCode);
        view = await admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
        Assert.Equal([Thumbprint("secondary")], Thumbprints(view));
        var user = await platform.CreateUserAsync("meta", account: key, withPassword: false);
        using var browser = platform.NewClient();
        var start = await browser.GetAsync($"/login/saml/{key}/");
        var samlResponse = await idp.MintAsync(new MintRequest
        {
            SpEntityId = view.GetProperty("spEntityId").GetString()!, AcsUrl = view.GetProperty("acsUrl").GetString()!,
            InResponseTo = SamlIdpFixture.RequestIdOf(start.Headers.Location!), NameId = "emp-" + user.Username, Email = user.Email, Key = "secondary",
        });
        var posted = await browser.PostAsync($"/login/saml/{key}/acs", new FormUrlEncodedContent(new Dictionary<string, string> { ["SAMLResponse"] = samlResponse }));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
    }

    [Fact]
    public async Task A_failing_metadata_url_keeps_the_last_good_metadata_and_the_settings_page_shows_the_error()
    {
        var (admin, _, _) = await ManagerAsync();
        server.Document = Metadata("primary");
        Assert.True((await admin.PutAsJsonAsync("/api/admin/sso", new { metadataUrl = server.MetadataUrl.ToString() })).IsSuccessStatusCode);

        server.Document = null;
        var refreshed = await admin.PostAsync("/api/admin/sso/metadata/refresh", null);

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var view = await refreshed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("http-status", view.GetProperty("metadata").GetProperty("error").GetString());
        Assert.NotEqual(JsonValueKind.Null, view.GetProperty("metadata").GetProperty("errorAt").ValueKind);
        Assert.Equal([Thumbprint("primary")], Thumbprints(view));
        Assert.True(view.GetProperty("configured").GetBoolean());
        var page = await admin.GetStringAsync("/admin/sso?culture=en");
        Assert.Contains("id=\"metadata-error\" data-reason=\"http-status\"", page);
        Assert.Contains("The server answered with an error.", page);
        Assert.Contains("The last good metadata stays in use.", page);
    }

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data/", "private, loopback or reserved network")]
    [InlineData("https://[::ffff:169.254.169.254]/metadata", "private, loopback or reserved network")]
    [InlineData("https://10.0.0.1/FederationMetadata/2007-06/FederationMetadata.xml", "private, loopback or reserved network")]
    [InlineData("https://[fd00::1]/metadata", "private, loopback or reserved network")]
    [InlineData("http://idp.example.com/metadata", "absolute https URL")]
    [InlineData("file:///etc/passwd", "absolute https URL")]
    public async Task Ssrf_a_metadata_url_into_the_cloud_metadata_service_or_a_private_network_is_refused_and_changes_nothing(string url, string message)
    {
        var (admin, _, _) = await ManagerAsync();
        server.Document = Metadata("primary");
        Assert.True((await admin.PutAsJsonAsync("/api/admin/sso", new { metadataUrl = server.MetadataUrl.ToString() })).IsSuccessStatusCode);
        var before = await admin.GetStringAsync("/api/admin/sso");

        var response = await admin.PutAsJsonAsync("/api/admin/sso", new { metadataUrl = url, enforceSso = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(message, problem.GetProperty("errors").GetProperty("metadataUrl")[0].GetString());
        Assert.Equal(before, await admin.GetStringAsync("/api/admin/sso"));
    }

    private string Metadata(params string[] keys) =>
        TestMetadataServer.MetadataOf(SamlIdpFixture.EntityId, $"{idp.Address}sso", [.. keys.Select(idp.CertificatePem)]);

    private string Thumbprint(string key) =>
        Convert.ToHexString(SHA256.HashData(X509Certificate2.CreateFromPem(idp.CertificatePem(key)).RawData));

    private static string[] Thumbprints(JsonElement view) =>
        [.. view.GetProperty("idpCertificates").EnumerateArray().Select(c => c.GetProperty("sha256Thumbprint").GetString()!)];

    private async Task<(HttpClient Admin, TestUser Manager, string Key)> ManagerAsync()
    {
        var key = "meta-" + Guid.NewGuid().ToString("N")[..10];
        var manager = await platform.CreateUserAsync("am", roles: ["AccountManager"], account: key);
        var admin = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.LoginAsync(manager.Username, manager.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/sso")).StatusCode);
        return (admin, manager, key);
    }

    /// <summary>Makes the connection's last fetch 13 hours old, as if the refresh interval had passed.</summary>
    private async Task AgeMetadataAsync(string key)
    {
        await using var db = new NpgsqlConnection(await platform.App.GetConnectionStringAsync("sso-db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(
            "UPDATE sso_connections SET metadata_fetched_at = now() - interval '13 hours' WHERE account_key = @key", db);
        command.Parameters.AddWithValue("key", key);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    /// <summary>Polls the settings until the background refresh (every 2 s in the tests) brought the expected change.</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient admin, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var view = await admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
            if (done(view) || DateTime.UtcNow > deadline)
            {
                return view;
            }
            await Task.Delay(250);
        }
    }

    public void Dispose() => server.Dispose();
}
