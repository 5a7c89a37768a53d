namespace AccessPlatform.Tests;

/// <summary>Order: explicit choice > cookie > saved preference > Accept-Language > English.</summary>
[Collection(PlatformCollection.Name)]
public sealed class LanguageTests(PlatformFixture platform)
{
    [Fact]
    public async Task Without_any_hint_the_login_page_is_english()
    {
        using var client = platform.NewClient();
        Assert.Contains($"<h1>{Resx.Text("en", "Login_Title")}</h1>", await client.GetStringAsync("/login"));
    }

    [Fact]
    public async Task Accept_language_picks_the_page_language()
    {
        using var client = platform.NewClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja,en;q=0.5");
        var html = await client.GetStringAsync("/login");
        Assert.Contains("lang=\"ja\"", html);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(Resx.Text("ja", "Login_Username")), html);
    }

    [Fact]
    public async Task The_language_cookie_beats_accept_language()
    {
        using var client = platform.NewClient(cookies: false);
        var request = new HttpRequestMessage(HttpMethod.Get, "/login");
        request.Headers.AcceptLanguage.ParseAdd("ja");
        request.Headers.Add("Cookie", ".AspNetCore.Culture=c%3Dfr%7Cuic%3Dfr");
        var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("lang=\"fr\"", html);
    }

    [Fact]
    public async Task An_explicit_choice_beats_the_cookie()
    {
        using var client = platform.NewClient(cookies: false);
        var request = new HttpRequestMessage(HttpMethod.Get, "/login?culture=hr");
        request.Headers.Add("Cookie", ".AspNetCore.Culture=c%3Dfr%7Cuic%3Dfr");
        var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("lang=\"hr\"", html);
    }

    [Fact]
    public async Task The_selector_keeps_the_choice_in_a_cookie_for_later_pages()
    {
        using var client = platform.NewClient();
        var form = await client.GetStringAsync("/login");
        var response = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["culture"] = "de", ["returnUrl"] = "/login", ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var html = await client.GetStringAsync("/login");
        Assert.Contains("lang=\"de\"", html);
        Assert.Contains($"<h1>{System.Net.WebUtility.HtmlEncode(Resx.Text("de", "Login_Title"))}</h1>", html);
    }

    [Fact]
    public async Task The_selector_refuses_an_unknown_language()
    {
        using var client = platform.NewClient();
        var form = await client.GetStringAsync("/login");
        var response = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["culture"] = "xx-evil", ["__RequestVerificationToken"] = LoginTests.AntiforgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Messages_to_a_user_are_in_their_saved_language()
    {
        var user = await platform.CreateUserAsync(language: "de");
        using var client = platform.NewClient();
        for (var i = 0; i < 5; i++)
        {
            await client.LoginAsync(user.Username, $"wrong-password-{i}");
        }
        var email = await platform.WaitForEmailAsync(user.Email);
        Assert.Equal(Resx.Text("de", "Email_Lockout_Subject"), email.Subject);
    }
}
