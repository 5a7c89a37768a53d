using System.Text;

namespace AccessPlatform.Tests;

/// <summary>
/// Cross-site request forgery on the cookie-authenticated JSON APIs (the checklist's "The edge": an antiforgery
/// header or an Origin check, not SameSite alone). The attacker's page sits on a sibling site, so the browser attaches
/// the Lax session cookie; it can send a form or text/plain POST (no preflight), or any method whose preflight the
/// platform never grants. Every such call answers 403 problem+json and changes nothing.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class CsrfTests(PlatformFixture platform)
{
    private const string AttackerOrigin = "http://evil.localhost:8080";

    /// <summary>Every state-changing route of the session-authenticated APIs; {victim} is another user of the account.</summary>
    public static readonly (string Method, string Path)[] GuardedRoutes =
    [
        ("POST", "/api/auth/logout"),
        ("POST", "/api/auth/authenticator"),
        ("POST", "/api/auth/authenticator/confirm"),
        ("DELETE", "/api/auth/authenticator"),
        ("DELETE", "/api/auth/sessions/{session}"),
        ("DELETE", "/api/auth/devices/{guid}"),
        ("POST", "/api/admin/users"),
        ("PATCH", "/api/admin/users/{victim}"),
        ("POST", "/api/admin/users/{victim}/password-reset"),
        ("POST", "/api/admin/users/{victim}/unlock"),
        ("POST", "/api/admin/users/{victim}/sessions/end"),
        ("POST", "/api/admin/users/{victim}/devices/revoke"),
        ("POST", "/api/admin/teams"),
        ("PUT", "/api/admin/teams/{guid}/members/{victim}"),
        ("DELETE", "/api/admin/teams/{guid}/members/{victim}"),
        ("POST", "/api/admin/notifications/test?channel=email"),
        ("PUT", "/api/admin/sso"),
        ("POST", "/api/account/password"),
        ("POST", "/api/account/email"),
        ("POST", "/api/account/phone"),
        ("POST", "/api/account/phone/confirm"),
    ];

    [Fact]
    public async Task Cross_site_form_and_text_posts_and_foreign_origin_calls_to_every_guarded_api_answer_403_and_change_nothing()
    {
        var manager = await platform.CreateUserAsync("csrf-mgr", roles: ["AccountManager", "User"]);
        var victim = await platform.CreateUserAsync("csrf-victim");
        using var admin = await platform.SignedInManagerAsync(manager);
        using var victimClient = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await victimClient.LoginAsync(victim.Username, victim.Password)).StatusCode);

        foreach (var (method, template) in GuardedRoutes)
        {
            var path = template.Replace("{victim}", victim.Id.ToString()).Replace("{guid}", Guid.NewGuid().ToString()).Replace("{session}", "some-session");
            foreach (var attack in Attacks(method))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = attack.Body() };
                if (attack.Origin is not null)
                {
                    request.Headers.Add("Origin", attack.Origin);
                }
                if (attack.FetchSite is not null)
                {
                    request.Headers.Add("Sec-Fetch-Site", attack.FetchSite);
                }
                var response = await admin.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {template} ({attack.Name}) answered {(int)response.StatusCode}");
                var problem = await response.ProblemAsync();
                Assert.Equal("https://access-platform/problems/cross-site-request", problem.GetProperty("type").GetString());
            }
        }

        // Nothing happened: both sessions live, no reset mail, no test mail.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/auth/session")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await victimClient.GetAsync("/api/auth/session")).StatusCode);
        Assert.True(await platform.NoEmailAsync(victim.Email, PasswordResetTestSupport.ResetSubject, TimeSpan.FromSeconds(1)));
        Assert.True(await platform.NoEmailAsync(manager.Email, "Access Platform test email", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Our_pages_antiforgery_token_or_a_same_origin_json_call_still_works()
    {
        var manager = await platform.CreateUserAsync("csrf-ok", roles: ["AccountManager", "User"]);
        var victim = await platform.CreateUserAsync("csrf-ok-user");
        using var admin = await platform.SignedInManagerAsync(manager);
        var token = LoginTests.AntiforgeryToken(await admin.GetStringAsync("/account/sessions"));

        using var withToken = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/users/{victim.Id}/unlock")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>()),
        };
        withToken.Headers.Add("RequestVerificationToken", token);
        withToken.Headers.Add("Origin", PublicOrigin);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(withToken)).StatusCode);

        using var forgedToken = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/users/{victim.Id}/unlock")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>()),
        };
        forgedToken.Headers.Add("RequestVerificationToken", token[..^2] + "xx");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.SendAsync(forgedToken)).StatusCode);

        using var sameOrigin = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/users/{victim.Id}/unlock") { Content = JsonContent.Create(new { }) };
        sameOrigin.Headers.Add("Origin", PublicOrigin);
        sameOrigin.Headers.Add("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(sameOrigin)).StatusCode);
    }

    private string PublicOrigin => platform.GatewayAddress.GetLeftPart(UriPartial.Authority).Replace("127.0.0.1", "localhost");

    private sealed record Attack(string Name, Func<HttpContent?> Body, string? Origin, string? FetchSite = null);

    private static IEnumerable<Attack> Attacks(string method)
    {
        if (method == "POST")
        {
            // What an HTML form on another site sends (with its Origin, or with none when the browser hides it).
            yield return new("form post", () => new FormUrlEncodedContent(new Dictionary<string, string> { ["channel"] = "email" }), AttackerOrigin);
            yield return new("text/plain post, no Origin", () => new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "text/plain"), null);
            yield return new("multipart post, Origin null", () => new MultipartFormDataContent { { new StringContent("x"), "name" } }, "null");
        }
        // A script on another origin, whatever it sends.
        yield return new("json from a foreign origin", () => JsonContent.Create(new { }), AttackerOrigin);
        yield return new("json from a sibling site", () => JsonContent.Create(new { }), null, "same-site");
    }
}
