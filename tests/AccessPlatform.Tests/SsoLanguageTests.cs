namespace AccessPlatform.Tests;

/// <summary>The SAML endpoints' pages speak the language chosen at Login.Api (cookie) or asked by the browser.</summary>
[Collection(PlatformCollection.Name)]
public sealed class SsoLanguageTests(PlatformFixture platform)
{
    private const string SsoResource = "Sso.Api/Resources/SsoResource";

    [Fact]
    public async Task Accept_language_picks_the_language_of_the_sso_unavailable_page()
    {
        using var client = platform.NewClient(cookies: false);
        var request = new HttpRequestMessage(HttpMethod.Get, "/login/saml/no-such-account/");
        request.Headers.AcceptLanguage.ParseAdd("de-DE,de;q=0.9,en;q=0.5");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("lang=\"de\"", html);
        Assert.Contains($"<h1>{Resx.Text(SsoResource, "de", "Page_Unavailable_Title")}</h1>", html);
    }

    [Fact]
    public async Task The_language_cookie_of_the_login_selector_beats_accept_language()
    {
        using var client = platform.NewClient(cookies: false);
        var request = new HttpRequestMessage(HttpMethod.Get, "/login/saml/no-such-account/");
        request.Headers.AcceptLanguage.ParseAdd("ja");
        request.Headers.Add("Cookie", ".AspNetCore.Culture=c%3Dfr%7Cuic%3Dfr");
        var html = WebUtility.HtmlDecode(await (await client.SendAsync(request)).Content.ReadAsStringAsync());
        Assert.Contains("lang=\"fr\"", html);
        Assert.Contains($"<h1>{Resx.Text(SsoResource, "fr", "Page_Unavailable_Title")}</h1>", html);
    }
}
