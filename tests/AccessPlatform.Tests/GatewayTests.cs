using System.Text.Json;

namespace AccessPlatform.Tests;

[Collection(PlatformCollection.Name)]
public sealed class GatewayTests(PlatformFixture platform)
{
    [Fact]
    public async Task Every_resource_of_the_stack_is_healthy()
    {
        foreach (var resource in PlatformFixture.Resources)
        {
            Assert.True(platform.App.ResourceNotifications.TryGetCurrentState(resource, out var state), resource);
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, state!.Snapshot.HealthStatus);
        }
    }

    [Fact]
    public async Task The_gateway_routes_saml_paths_to_the_sso_service()
    {
        using var client = platform.GatewayClient(10);
        var response = await client.GetAsync("/login/saml/no-such-account/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Single sign-on", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_gateway_routes_everything_else_to_the_login_service()
    {
        using var client = platform.GatewayClient(10);
        var response = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<form", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/internal/ops/notifications/test?channel=email")]
    [InlineData("/internal/anything")]
    [InlineData("/INTERNAL/ops/notifications/test")]
    public async Task The_gateway_never_routes_internal_paths(string path)
    {
        using var client = platform.GatewayClient(10);
        var response = await client.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Responses_carry_security_headers()
    {
        using var client = platform.GatewayClient(10);
        var response = await client.GetAsync("/login");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413_problem_details()
    {
        using var client = platform.GatewayClient(11);
        var response = await client.PostAsync("/api/auth/login", new ByteArrayContent(new byte[1024 * 1024]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Authentication_posts_past_the_per_ip_limit_get_429_with_retry_after()
    {
        using var client = platform.GatewayClient(12);
        using var neighbour = platform.GatewayClient(13);
        HttpResponseMessage? last = null;
        for (var i = 0; i < 41; i++)
        {
            last = await client.PostAsJsonAsync("/api/auth/login", new { username = "nobody", password = "wrong-password-123" });
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.True(int.Parse(last.Headers.GetValues("Retry-After").Single()) > 0);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);

        // Another client address is not affected.
        var other = await neighbour.PostAsJsonAsync("/api/auth/login", new { username = "nobody", password = "wrong-password-123" });
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);
    }
}

[Collection(PlatformCollection.Name)]
public sealed class NotificationPathTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_test_email_reaches_the_mail_catcher_with_subject_and_recipient()
    {
        const string recipient = PlatformFixture.OpsTestEmail;
        using var loginApi = platform.ResourceClient("login-api");
        var response = await loginApi.PostAsync($"/internal/ops/notifications/test?channel=email&to={Uri.EscapeDataString(recipient)}", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var email = await platform.WaitForEmailAsync(recipient);
        Assert.Equal("Access Platform test email", email.Subject);
        Assert.Equal([recipient], email.To);
    }

    [Fact]
    public async Task The_test_sms_reaches_the_twilio_endpoint_exactly_as_the_sdk_sends_it()
    {
        const string number = PlatformFixture.OpsTestSms;
        using var loginApi = platform.ResourceClient("login-api");
        var response = await loginApi.PostAsync($"/internal/ops/notifications/test?channel=sms&to={Uri.EscapeDataString(number)}", null);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var sms = await platform.WaitForSmsAsync(number);
        Assert.Equal("+15005550006", sms.From);
        Assert.Null(sms.MessagingServiceSid);
        Assert.Equal("Access Platform test SMS: delivery settings work.", sms.Body);
        Assert.Equal("AC00000000000000000000000000000dev", sms.BasicAuthUser);
        Assert.True(sms.Authenticated, "the SDK's Basic auth must carry the configured SID and token");
        Assert.Equal(201, sms.Status);
        Assert.Equal("sms", accepted.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task An_account_manager_test_email_goes_to_their_own_address_whatever_the_request_says()
    {
        var manager = await platform.CreateUserAsync("mgr", roles: ["AccountManager", "User"]);
        using var client = platform.NewClient();
        await client.LoginAsync(manager.Username, manager.Password);
        var victim = $"victim-{Guid.NewGuid():N}@example.test";

        var response = await client.PostAsync($"/api/admin/notifications/test?channel=email&to={Uri.EscapeDataString(victim)}", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await platform.WaitForEmailAsync(manager.Email, m => m.Subject == "Access Platform test email");
        Assert.True(await platform.NoEmailAsync(victim, "Access Platform test email", TimeSpan.FromSeconds(2)));
    }
}
