using System.Net.Http.Headers;
using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>
/// The admin APIs' problem+json (title and errors) in the request culture, in the order of PlatformCultures:
/// explicit choice &gt; culture cookie &gt; the signed-in user's saved language &gt; Accept-Language &gt; English.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AdminApiLanguageTests(PlatformFixture platform)
{
    private const string Texts = "Login.Api/Resources/AdminApiResource";

    [Fact]
    public async Task An_admin_api_call_with_accept_language_de_gets_a_german_validation_problem()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("api-de-mgr", account: account, roles: ["AccountManager", "User"], language: "de");
        using var admin = await platform.SignedInManagerAsync(manager);

        var problem = await InvalidCreateAsync(admin, "de");
        Assert.Equal(Resx.Text(Texts, "de", "Validation_Title"), problem.GetProperty("title").GetString());
        Assert.Equal(Resx.Text(Texts, "de", "Error_Email"), problem.GetProperty("errors").GetProperty("email")[0].GetString());
        Assert.Equal(Resx.Text(Texts, "de", "Error_Username"), problem.GetProperty("errors").GetProperty("username")[0].GetString());

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/admin/users/{Guid.NewGuid()}");
        request.Headers.AcceptLanguage.ParseAdd("de");
        var notFound = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(Resx.Text(Texts, "de", "UserNotFound"), (await notFound.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_culture_cookie_outranks_the_saved_language_and_without_either_the_answer_is_english()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("api-lang-mgr", account: account, roles: ["AccountManager", "User"]);
        using var admin = await platform.SignedInManagerAsync(manager);

        var english = await InvalidCreateAsync(admin, acceptLanguage: null);
        Assert.Equal(Resx.Text(Texts, "en", "Validation_Title"), english.GetProperty("title").GetString());

        // The language selector's cookie (what the admin console sets) switches the API too.
        var french = await InvalidCreateAsync(admin, acceptLanguage: null, cultureCookie: "fr");
        Assert.Equal(Resx.Text(Texts, "fr", "Validation_Title"), french.GetProperty("title").GetString());
        Assert.Equal(Resx.Text(Texts, "fr", "Error_Email"), french.GetProperty("errors").GetProperty("email")[0].GetString());
    }

    [Fact]
    public async Task The_sso_settings_api_refuses_bad_settings_in_the_request_language_and_changes_nothing()
    {
        const string sso = "Sso.Api/Resources/SsoResource";
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("api-sso-de", account: account, roles: ["AccountManager", "User"], language: "de");
        using var admin = await platform.SignedInManagerAsync(manager);
        var before = await admin.GetStringAsync("/api/admin/sso");

        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/admin/sso")
        {
            Content = JsonContent.Create(new { idpSsoUrl = "not a url", certificates = new[] { "not a certificate" } }),
        };
        request.Headers.AcceptLanguage.ParseAdd("de");
        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(Resx.Text(sso, "de", "Valid_EntityIdRequired"), errors.GetProperty("idpEntityId")[0].GetString());
        Assert.Equal(Resx.Text(sso, "de", "Valid_SsoUrl"), errors.GetProperty("idpSsoUrl")[0].GetString());
        Assert.Equal(Resx.Text(sso, "de", "Valid_NotPem"), errors.GetProperty("certificates[0]")[0].GetString());

        using var metadata = new HttpRequestMessage(HttpMethod.Put, "/api/admin/sso") { Content = JsonContent.Create(new { metadataXml = "<not-xml" }) };
        metadata.Headers.AcceptLanguage.ParseAdd("de");
        var unreadable = await (await admin.SendAsync(metadata)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Resx.Text(sso, "de", "Valid_Metadata_not-xml"), unreadable.GetProperty("errors").GetProperty("metadataXml")[0].GetString());
        Assert.Equal(before, await admin.GetStringAsync("/api/admin/sso"));
    }

    private static async Task<JsonElement> InvalidCreateAsync(HttpClient admin, string? acceptLanguage, string? cultureCookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/users")
        {
            Content = JsonContent.Create(new { username = "x", email = "not-an-email" }),
        };
        if (acceptLanguage is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        }
        if (cultureCookie is not null)
        {
            request.Headers.Add("Cookie", $".AspNetCore.Culture={Uri.EscapeDataString($"c={cultureCookie}|uic={cultureCookie}")}");
        }
        var response = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
