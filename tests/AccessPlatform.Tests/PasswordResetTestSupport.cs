using System.Text.Json;
using System.Text.RegularExpressions;

namespace AccessPlatform.Tests;

/// <summary>Reset links from smtp4dev, sign-ins that finish the second factor, and the testing hooks of issue 5.</summary>
public static partial class PasswordResetTestSupport
{
    public static string ResetSubject => Resx.Text("en", "Email_Reset_Subject");
    public static string ChangedSubject => Resx.Text("en", "Email_Changed_Subject");
    public static string InviteSubject => Resx.Text("en", "Email_Invite_Subject");

    /// <summary>Waits for the next email with the subject, returns its link token and deletes it (the next wait sees the next one).</summary>
    public static async Task<string> TakeLinkTokenAsync(this PlatformFixture platform, string email, string? subject = null)
    {
        var message = await platform.TakeEmailAsync(email, subject ?? ResetSubject);
        var match = LinkToken().Match(message.PlainText);
        Assert.True(match.Success, "The email holds no reset link.");
        Assert.StartsWith(platform.GatewayAddress.GetLeftPart(UriPartial.Authority).Replace("127.0.0.1", "localhost"),
            match.Value.Replace("127.0.0.1", "localhost"));
        return match.Groups["token"].Value;
    }

    public static async Task<MailMessage> TakeEmailAsync(this PlatformFixture platform, string email, string subject)
    {
        var message = await platform.WaitForEmailAsync(email, m => m.Subject == subject);
        using var mail = platform.ResourceClient("mail");
        await mail.DeleteAsync($"/api/messages/{message.Id}");
        return message;
    }

    /// <summary>True when no email with the subject reached the address within the wait.</summary>
    public static async Task<bool> NoEmailAsync(this PlatformFixture platform, string email, string subject, TimeSpan wait)
    {
        try
        {
            await platform.WaitForEmailAsync(email, m => m.Subject == subject, wait);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    public static Task<HttpResponseMessage> ForgotAsync(this HttpClient client, string usernameOrEmail) =>
        client.PostAsJsonAsync("/api/auth/password/forgot", new { usernameOrEmail });

    public static Task<HttpResponseMessage> ResetAsync(this HttpClient client, string token, string newPassword) =>
        client.PostAsJsonAsync("/api/auth/password/reset", new { token, newPassword });

    public static async Task<string> LoginStatusAsync(this HttpClient client, string username, string password)
    {
        var response = await client.LoginAsync(username, password);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return ((int)response.StatusCode).ToString();
        }
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString()!;
    }

    /// <summary>Signs in, completing the second factor by the emailed code when asked.</summary>
    /// <param name="phone">Where the SMS code goes when SMS is the user's strongest factor (users with a phone).</param>
    public static async Task SignInAsync(this PlatformFixture platform, HttpClient client, string username, string password, string email,
        string? phone = null)
    {
        var response = await client.LoginAsync(username, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (body.GetProperty("status").GetString() == "signed-in")
        {
            return;
        }
        var flowId = body.GetProperty("flowId").GetString()!;
        var channel = body.GetProperty("channels")[0].GetProperty("channel").GetString()!;
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel })).StatusCode);
        var code = channel == "sms"
            ? SixDigits().Match((await platform.WaitForSmsAsync(phone ?? throw new ArgumentException("SMS is offered: give the phone."), m => m.ReceivedAt >= since)).Body!).Value
            : SixDigits().Match((await platform.TakeEmailAsync(email, "Your sign-in code")).PlainText).Value;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);
    }

    public static async Task<HttpClient> SignedInManagerAsync(this PlatformFixture platform, TestUser manager)
    {
        var client = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(manager.Username, manager.Password)).StatusCode);
        return client;
    }

    /// <summary>A password change by another path than a reset link (Login.Api's testing hook).</summary>
    public static async Task ChangePasswordDirectlyAsync(this PlatformFixture platform, Guid userId, string password)
    {
        using var loginApi = platform.ResourceClient("login-api");
        (await loginApi.PostAsJsonAsync($"/internal/testing/users/{userId}/password", new { password })).EnsureSuccessStatusCode();
    }

    public static async Task EnforceSsoAsync(this PlatformFixture platform, string account)
    {
        using var loginApi = platform.ResourceClient("login-api");
        (await loginApi.PostAsync($"/internal/testing/accounts/{account}/sso-enforced", null)).EnsureSuccessStatusCode();
    }

    public static string NewAccount() => $"co-{Guid.NewGuid():N}"[..16];

    public static string StrongPassword() => $"new-pw-{Guid.NewGuid():N}";

    [GeneratedRegex(@"https?://[^\s/]+/reset-password\?token=(?<token>[A-Za-z0-9_-]{43})")]
    private static partial Regex LinkToken();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
