using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// The admin console's working tools in Chromium, as an Account Manager uses them: in a browser with JavaScript off,
/// search, filter, sort and page the users list, end a user's sessions and disable them through the confirmation
/// step, and download the audit CSV; then axe (WCAG 2.1 AA) on the users list, the profile with a confirmation open
/// and the audit log, in English and German. Screenshots go to the test output.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AdminWorkflowBrowserTests(PlatformFixture platform)
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots", "admin-console");

    [Fact]
    public async Task An_account_manager_without_javascript_searches_pages_sorts_confirms_destructive_actions_and_downloads_the_audit_csv()
    {
        var account = PasswordResetTestSupport.NewAccount();
        var manager = await platform.CreateUserAsync("bc-mgr", account: account, roles: ["AccountManager", "User"]);
        var users = new List<TestUser>();
        for (var i = 0; i < 27; i++)
        {
            users.Add(await platform.CreateUserAsync("bcu", account: account));
        }
        var target = users[^1];
        using var targetBrowser = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await targetBrowser.LoginAsync(target.Username, target.Password)).StatusCode);

        await using var browser = await SharedChromium.LeaseAsync();
        Directory.CreateDirectory(Screenshots);

        var noScript = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US", JavaScriptEnabled = false, AcceptDownloads = true });
        var page = await SignInAsync(noScript, manager);

        // Search and filter: 27 matches, two pages; the next page keeps search, filter and sort.
        await page.GotoAsync(Url("/admin/users"));
        await page.FillAsync("#search", "BCU");
        await page.SelectOptionAsync("#status", "active");
        await page.SelectOptionAsync("#sort", "created");
        await page.SelectOptionAsync("#direction", "desc");
        await page.ClickAsync("#filter");
        await page.WaitForURLAsync(url => url.Contains("search=BCU"));
        Assert.Equal(Text("List_Count", 27), await page.InnerTextAsync("#user-count"));
        Assert.Equal(Text("List_PageOf", 1, 2), await page.InnerTextAsync("#page-of"));
        Assert.Equal(target.Username, await page.InnerTextAsync("#users tbody tr:first-child td:first-child"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "1-users-filtered.png"), FullPage = true });
        await page.ClickAsync("#next");
        await page.WaitForURLAsync(url => url.Contains("pageNumber=2"));
        Assert.Equal(2, await page.Locator("#users tbody tr").CountAsync());
        Assert.Equal("BCU", await page.InputValueAsync("#search"));
        Assert.Equal("created", await page.InputValueAsync("#sort"));
        Assert.Equal(users[0].Username, await page.InnerTextAsync("#users tbody tr:last-child td:first-child"));

        // A column header sorts by username; pressed again, the other way round.
        await page.ClickAsync("#sort-username");
        await page.WaitForURLAsync(url => url.Contains("sort=username") && url.Contains("direction=asc"));
        Assert.Equal("ascending", await page.GetAttributeAsync("th:has(#sort-username)", "aria-sort"));
        var ascending = await page.Locator("#users tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(ascending.Order(StringComparer.Ordinal), ascending);
        await page.ClickAsync("#sort-username");
        await page.WaitForURLAsync(url => url.Contains("sort=username") && url.Contains("direction=desc"));
        Assert.Equal(users.Select(u => u.Username).Max(StringComparer.Ordinal), await page.InnerTextAsync("#users tbody tr:first-child td:first-child"));

        // End all sessions: asked first (cancel changes nothing), then confirmed.
        await page.GotoAsync(Url($"/admin/users/{target.Id}"));
        Assert.Contains("danger", await page.GetAttributeAsync("#end-sessions", "class"));
        Assert.Equal(Text("Method_password"), await page.InnerTextAsync("#last-sign-in-method"));
        await page.ClickAsync("#end-sessions");
        await page.WaitForSelectorAsync("#confirm");
        Assert.Equal(Text("Confirm_end-sessions", target.Username), await page.InnerTextAsync("#confirm-text"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "2-confirm-end-sessions.png"), FullPage = true });
        await page.ClickAsync("#confirm-cancel");
        await page.WaitForSelectorAsync("#admin-message");
        Assert.Equal(Text("Confirm_Cancelled"), await page.InnerTextAsync("#admin-message"));
        Assert.Equal(HttpStatusCode.OK, (await targetBrowser.GetAsync("/api/auth/session")).StatusCode);
        await page.ClickAsync("#end-sessions");
        await page.ClickAsync("#confirm-action");
        await page.WaitForURLAsync(url => url.Contains("done=EndSessions"));
        Assert.Equal("1 sessions were ended.", await page.InnerTextAsync("#admin-message"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await targetBrowser.GetAsync("/api/auth/session")).StatusCode);

        // Disable, through the same two steps.
        await page.ClickAsync("#toggle-status");
        await page.WaitForSelectorAsync("#confirm");
        Assert.Equal(Text("Confirm_disable", target.Username), await page.InnerTextAsync("#confirm-text"));
        await page.ClickAsync("#confirm-action");
        await page.WaitForURLAsync(url => url.Contains("done=Disable"));
        Assert.Equal("The user was disabled and signed out everywhere.", await page.InnerTextAsync("#admin-message"));
        Assert.Equal("Disabled", await page.InnerTextAsync("#profile-status"));

        // The audit log by username, and its CSV.
        await page.GotoAsync(Url($"/admin/audit?user={target.Username}"));
        Assert.Contains("admin.user_disabled", await page.InnerTextAsync("#audit"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "3-audit.png"), FullPage = true });
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#audit-export"));
        Assert.EndsWith(".csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("occurred_at_utc,type,user_id,username", csv.TrimStart('\uFEFF'));
        Assert.Contains($"admin.user_disabled,{target.Id},{target.Username},", csv);
        Assert.Contains($"session.revoked,{target.Id},{target.Username},", csv);

        // Accessibility of the changed pages, in English and German (axe runs scripts: a context with JavaScript).
        foreach (var locale in new[] { "en-US", "de-DE" })
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale });
            // A signed-in user's pages follow their preferred language: a German-speaking manager for the German pass.
            var checkPage = await SignInAsync(context, locale == "de-DE"
                ? await platform.CreateUserAsync("bc-mgr-de", account: account, roles: ["AccountManager", "User"], language: "de") : manager);
            await checkPage.GotoAsync(Url("/admin/users?search=bcu&sort=lastSignIn&direction=desc"));
            await Accessibility.AssertNoViolationsAsync(checkPage);
            await checkPage.GotoAsync(Url($"/admin/users/{users[0].Id}?confirm=revoke-devices"));
            Assert.True(await checkPage.IsVisibleAsync("#confirm"));
            if (locale == "de-DE")
            {
                Assert.Equal(TextIn("de", "Confirm_revoke-devices", users[0].Username), await checkPage.InnerTextAsync("#confirm-text"));
            }
            await Accessibility.AssertNoViolationsAsync(checkPage);
            await checkPage.GotoAsync(Url($"/admin/audit?user={target.Username}"));
            await Accessibility.AssertNoViolationsAsync(checkPage);
            await context.CloseAsync();
        }
    }

    private async Task<IPage> SignInAsync(IBrowserContext context, TestUser manager)
    {
        await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "ap_device", Value = platform.TrustedDeviceId, Url = platform.GatewayAddress.ToString() }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/login"));
        await page.FillAsync("#username", manager.Username);
        await page.FillAsync("#password", manager.Password);
        await page.ClickAsync("form:has(#password) button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        return page;
    }

    private string Url(string path) => new Uri(platform.GatewayAddress, path).ToString();

    private static string Text(string key, params object[] args) => TextIn("en", key, args);

    private static string TextIn(string culture, string key, params object[] args) =>
        string.Format(Resx.Text("Login.Api/Resources/AdminConsoleResource", culture, key), args);
}
