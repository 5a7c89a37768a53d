using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>Test users and the test clock of Login.Api (direct, /internal/testing), and the login calls through the gateway.</summary>
public static class LoginApiClient
{
    public const string Account = "testco";

    public static async Task<TestUser> CreateUserAsync(this PlatformFixture platform, string? prefix = null, bool webAccess = true,
        string status = "active", string[]? roles = null, string account = Account, string language = "en", string? phone = null,
        bool trustDevice = true, bool withPassword = true)
    {
        var username = $"{prefix ?? "user"}-{Guid.NewGuid():N}"[..24];
        var password = $"pw-{Guid.NewGuid():N}";
        var email = $"{username}@example.test";
        using var loginApi = platform.ResourceClient("login-api");
        var response = await loginApi.PostAsJsonAsync("/internal/testing/users", new
        {
            account, username, email, phone, password = withPassword ? password : null, language, roles = roles ?? ["User"], webAccess, status,
            trustedDeviceId = trustDevice ? platform.TrustedDeviceId : null,
        });
        response.EnsureSuccessStatusCode();
        return new TestUser(await response.Content.ReadFromJsonAsync<Guid>(), username, password, email) { Phone = phone };
    }

    /// <summary>Moves Login.Api's clock; always reset it to zero in a finally.</summary>
    public static async Task SetClockOffsetAsync(this PlatformFixture platform, TimeSpan offset)
    {
        using var loginApi = platform.ResourceClient("login-api");
        (await loginApi.PostAsJsonAsync("/internal/testing/clock", new { offsetSeconds = offset.TotalSeconds })).EnsureSuccessStatusCode();
    }

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string username, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { username, password });

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

public sealed record TestUser(Guid Id, string Username, string Password, string Email)
{
    public string? Phone { get; init; }
}
