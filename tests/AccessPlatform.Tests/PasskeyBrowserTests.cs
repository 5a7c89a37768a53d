using System.Text.Json;
using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// Passkeys in a real browser with Chromium's virtual authenticator (CTAP2, internal, resident keys, user verification):
/// register, sign out, sign in passwordless (no code asked), password + passkey as the second factor in a new browser,
/// re-authenticate with the passkey, remove it and see it refused. WebAuthn needs the RP ID's host, so the browser uses
/// the public origin (localhost), not the gateway's 127.0.0.1.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PasskeyBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private Uri Origin => new UriBuilder(platform.GatewayAddress) { Host = "localhost" }.Uri;

    private string At(string path) => new Uri(Origin, path).ToString();

    [Fact]
    public async Task A_passkey_is_registered_signs_in_passwordless_and_as_second_factor_and_is_refused_once_removed()
    {
        var user = await platform.CreateUserAsync("passkey");
        await using var browser = await SharedChromium.LeaseAsync();
        Directory.CreateDirectory(Screenshots);

        // A trusted browser: register a passkey on the security page.
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = Origin.ToString() }]);
        var page = await context.NewPageAsync();
        var visited = new List<string>();
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) visited.Add(new Uri(frame.Url).AbsolutePath); };
        var (cdp, authenticator) = await AddVirtualAuthenticatorAsync(context, page);

        await SignInWithPasswordAsync(page, user);
        await page.GotoAsync(At("/account/security"));
        await page.FillAsync("#passkey-name", "Test laptop");
        await page.ClickAsync("#add-passkey");
        await page.WaitForURLAsync(url => url.Contains("passkeyAdded=true"));
        Assert.Equal("Test laptop", await page.InnerTextAsync("#passkey-list .passkey-name"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "passkey-1-registered.png"), FullPage = true });
        var credentials = (await cdp.SendAsync("WebAuthn.getCredentials", new() { ["authenticatorId"] = authenticator }))!.Value.GetProperty("credentials");
        Assert.Equal(1, credentials.GetArrayLength());
        Assert.True(credentials[0].GetProperty("isResidentCredential").GetBoolean());
        Assert.Equal("localhost", credentials[0].GetProperty("rpId").GetString());
        var addedMail = await platform.WaitForEmailAsync(user.Email, m => m.Subject == "A passkey was added to your account");
        Assert.Contains("Test laptop", addedMail.PlainText);

        // Sign out, then passwordless: the passkey is both factors, no code page on the way. The login page's
        // conditional request (username field autocomplete="username webauthn") takes it: the virtual authenticator
        // answers autofill requests by itself, where a person would pick the passkey from the username's suggestions.
        await page.GotoAsync(At("/"));
        visited.Clear();
        await page.ClickAsync("#logout");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/" && visited.Contains("/login"));
        Assert.Contains(user.Username, await page.InnerTextAsync("#signed-in-as"));
        Assert.DoesNotContain("/login-code", visited);
        await page.GotoAsync(At("/account/security"));
        Assert.NotEqual("Never", await page.InnerTextAsync("#passkey-list .passkey-last-used"));

        // A new browser: the password, then the passkey as the strongest second factor instead of a code.
        var fresh = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var other = await fresh.NewPageAsync();
        await other.GotoAsync(At("/login"));
        await other.FillAsync("#username", user.Username);
        await other.FillAsync("#password", user.Password);
        await other.ClickAsync("form:has(#password) button[type=submit]");
        await other.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login-code");
        // A copy of the passkey taken before its last use: a cloned authenticator, whose counter lags behind. Refused.
        // (Added only now, so the login page's autofill request never saw it.)
        var (otherCdp, otherAuthenticator) = await AddVirtualAuthenticatorAsync(fresh, other);
        await otherCdp.SendAsync("WebAuthn.addCredential", new()
        {
            ["authenticatorId"] = otherAuthenticator,
            ["credential"] = JsonSerializer.Deserialize<Dictionary<string, object>>(credentials[0].GetRawText())!,
        });
        await other.ClickAsync("#passkey-second-factor");
        await other.WaitForSelectorAsync("#code-error");
        Assert.Equal("/login-code", new Uri(other.Url).AbsolutePath);
        Assert.Equal(Resx.Text("Login.Api/Resources/PasskeyResource", "en", "Passkey_Refused"), await other.InnerTextAsync("#code-error"));
        await other.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "passkey-2-clone-refused.png"), FullPage = true });

        // The same passkey as it is now (its counter current): the second factor passes.
        var current = (await cdp.SendAsync("WebAuthn.getCredentials", new() { ["authenticatorId"] = authenticator }))!.Value.GetProperty("credentials")[0];
        await otherCdp.SendAsync("WebAuthn.removeCredential", new()
        {
            ["authenticatorId"] = otherAuthenticator, ["credentialId"] = current.GetProperty("credentialId").GetString()!,
        });
        await otherCdp.SendAsync("WebAuthn.addCredential", new()
        {
            ["authenticatorId"] = otherAuthenticator,
            ["credential"] = JsonSerializer.Deserialize<Dictionary<string, object>>(current.GetRawText())!,
        });
        await other.ClickAsync("#passkey-second-factor");
        await other.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        Assert.Contains(user.Username, await other.InnerTextAsync("#signed-in-as"));

        // The first browser's authenticator is now one use behind (the copy signed last): bring it up to date, or the
        // platform rightly refuses it as a clone.
        var latest = (await otherCdp.SendAsync("WebAuthn.getCredentials", new() { ["authenticatorId"] = otherAuthenticator }))!.Value.GetProperty("credentials")[0];
        await cdp.SendAsync("WebAuthn.removeCredential", new() { ["authenticatorId"] = authenticator, ["credentialId"] = latest.GetProperty("credentialId").GetString()! });
        await cdp.SendAsync("WebAuthn.addCredential", new()
        {
            ["authenticatorId"] = authenticator,
            ["credential"] = JsonSerializer.Deserialize<Dictionary<string, object>>(latest.GetRawText())!,
        });

        // Later (outside the re-authentication window): removing asks again, and the passkey itself answers.
        try
        {
            await platform.SetClockOffsetAsync(TimeSpan.FromMinutes(6));
            await page.GotoAsync(At("/account/security"));
            await page.ClickAsync(".remove-passkey");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/reauthenticate");
            await page.ClickAsync("#passkey-reauth");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/security");
            await page.ClickAsync(".remove-passkey");
            await page.WaitForSelectorAsync("#no-passkeys");
            await platform.WaitForEmailAsync(user.Email, m => m.Subject == "A passkey was removed from your account");
        }
        finally
        {
            await platform.SetClockOffsetAsync(TimeSpan.Zero);
        }

        // The authenticator still holds the credential; the platform no longer accepts it, neither from the autofill
        // request nor from the "Sign in with a passkey" button.
        await page.GotoAsync(At("/"));
        await page.ClickAsync("#logout");
        await page.WaitForSelectorAsync("#login-error");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        Assert.Equal("username webauthn", await page.GetAttributeAsync("#username", "autocomplete"));
        Assert.Equal(Resx.Text("en", "Login_InvalidCredentials"), await page.InnerTextAsync("#login-error"));
        await page.EvaluateAsync("document.getElementById('login-error').remove()");
        await page.ClickAsync("#passkey-signin");
        await page.WaitForSelectorAsync("#login-error");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        Assert.Equal(Resx.Text("en", "Login_InvalidCredentials"), await page.InnerTextAsync("#login-error"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "passkey-3-removed-refused.png"), FullPage = true });
    }

    [Theory]
    [InlineData("en-US", "en")]
    [InlineData("de-DE", "de")]
    public async Task The_passkey_pages_have_no_accessibility_violations(string locale, string language)
    {
        var user = await platform.CreateUserAsync("passkey-axe", language: language);
        await using var browser = await SharedChromium.LeaseAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale });
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = Origin.ToString() }]);
        var page = await context.NewPageAsync();
        await AddVirtualAuthenticatorAsync(context, page);
        Directory.CreateDirectory(Screenshots);

        await page.GotoAsync(At("/login"));
        await page.WaitForSelectorAsync("#passkey-signin:visible");
        await Accessibility.AssertNoViolationsAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"passkey-login-{language}.png"), FullPage = true });

        await SignInWithPasswordAsync(page, user);
        await page.GotoAsync(At("/account/security"));
        await page.FillAsync("#passkey-name", "Laptop");
        await page.ClickAsync("#add-passkey");
        await page.WaitForURLAsync(url => url.Contains("passkeyAdded=true"));
        Assert.Equal(Resx.Text("Login.Api/Resources/PasskeyResource", language, "Passkey_Title"), await page.InnerTextAsync("#passkeys"));
        await Accessibility.AssertNoViolationsAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"passkey-security-{language}.png"), FullPage = true });

        await page.GotoAsync(At("/account/reauthenticate?returnUrl=%2Faccount%2Fsecurity"));
        await page.WaitForSelectorAsync("#passkey-reauth:visible");
        await Accessibility.AssertNoViolationsAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"passkey-reauthenticate-{language}.png"), FullPage = true });
    }

    private async Task SignInWithPasswordAsync(IPage page, TestUser user)
    {
        await page.GotoAsync(At("/login"));
        await page.FillAsync("#username", user.Username);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
    }

    /// <summary>A platform authenticator with resident keys and user verification that always verifies (Chromium's CDP WebAuthn domain).</summary>
    private static async Task<(ICDPSession Cdp, string AuthenticatorId)> AddVirtualAuthenticatorAsync(IBrowserContext context, IPage page)
    {
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new()
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return (cdp, added!.Value.GetProperty("authenticatorId").GetString()!);
    }
}
