using System.Text.Json;
using System.Text.RegularExpressions;

namespace AccessPlatform.Tests;

/// <summary>Sign-up requests through the gateway and the activation link from smtp4dev (issue 18).</summary>
public static partial class SignupTestSupport
{
    public const string Resource = "Login.Api/Resources/SignupResource";

    public static string Text(string culture, string key) => Resx.Text(Resource, culture, key);

    /// <summary>A valid sign-up with unique key, username and email.</summary>
    public static Dictionary<string, object?> NewSignup(string? prefix = null)
    {
        var id = $"{prefix ?? "su"}-{Guid.NewGuid():N}"[..20];
        return new()
        {
            ["companyName"] = $"Company {id}",
            ["accountKey"] = id,
            ["username"] = $"{id}.mgr",
            ["email"] = $"{id}@example.test",
            ["phone"] = "+385911234567",
            ["password"] = PasswordResetTestSupport.StrongPassword(),
            ["acceptTerms"] = true,
        };
    }

    public static Task<HttpResponseMessage> SignUpAsync(this HttpClient client, Dictionary<string, object?> signup) =>
        client.PostAsJsonAsync("/api/signup", signup);

    public static Task<HttpResponseMessage> ConfirmSignupAsync(this HttpClient client, string token) =>
        client.PostAsJsonAsync("/api/signup/confirm", new { token });

    /// <summary>Waits for the activation email, returns the token of its link and deletes the email.</summary>
    public static async Task<string> TakeActivationTokenAsync(this PlatformFixture platform, string email, string culture = "en")
    {
        var message = await platform.TakeEmailAsync(email, Text(culture, "Email_Activate_Subject"));
        var match = ActivationLink().Match(message.PlainText);
        Assert.True(match.Success, "The email holds no activation link.");
        return match.Groups["token"].Value;
    }

    public static async Task<string[]> FieldErrorsAsync(this HttpResponseMessage response)
    {
        var problem = await response.ProblemAsync();
        return [.. problem.GetProperty("errors").EnumerateObject().Select(p => p.Name)];
    }

    /// <summary>The new account's audit events of one type prefix, read by its signed-in Account Manager.</summary>
    public static async Task<JsonElement[]> AuditAsync(this HttpClient manager, string type) =>
        (await manager.GetFromJsonAsync<JsonElement[]>($"/api/admin/audit?type={Uri.EscapeDataString(type)}"))!;

    public static async Task<HttpResponseMessage> OperatorCreateAsync(this PlatformFixture platform, object body, string? key)
    {
        using var loginApi = platform.ResourceClient("login-api", internalKey: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/operator/accounts") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("X-Internal-Api-Key", key);
        }
        return await loginApi.SendAsync(request);
    }

    [GeneratedRegex(@"https?://[^\s/]+/signup/confirm\?token=(?<token>[A-Za-z0-9_-]{43})")]
    public static partial Regex ActivationLink();
}
