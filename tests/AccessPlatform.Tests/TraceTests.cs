using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AccessPlatform.Tests;

/// <summary>
/// Ops follow one login in the dashboard: the spans of every service share the trace the client started, and each
/// hop's span is a child of the previous hop's (gateway -> login-api -> RabbitMQ publish -> worker consume -> SMTP).
/// Read from each service's in-memory span recorder (test-only).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class TraceTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_login_with_an_emailed_code_is_traced_from_the_gateway_through_the_broker_to_smtp()
    {
        var user = await platform.CreateUserAsync("trace", trustDevice: false);
        using var client = platform.NewClient(newDevice: true);

        var loginTrace = ActivityTraceId.CreateRandom();
        var login = await SendTracedAsync(client, loginTrace, "/api/auth/login", new { username = user.Username, password = user.Password });
        var flowId = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("flowId").GetString()!;
        var sendTrace = ActivityTraceId.CreateRandom();
        await SendTracedAsync(client, sendTrace, "/api/auth/second-factor/send", new { flowId, channel = "email" });
        var email = await platform.WaitForEmailAsync(user.Email, m => m.Subject == "Your sign-in code");
        var verifyTrace = ActivityTraceId.CreateRandom();
        var verified = await SendTracedAsync(client, verifyTrace, "/api/auth/second-factor/verify",
            new { flowId, code = SixDigits().Match(email.PlainText).Value });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        await Task.Delay(1500);

        // The password step: gateway -> login-api with its step spans.
        var gateway = await SpansAsync("gateway", loginTrace);
        var loginApi = await SpansAsync("login-api", loginTrace);
        var loginServer = loginApi.Single(s => s.Kind == "Server");
        Assert.Contains(gateway, g => g.SpanId == loginServer.ParentSpanId);
        Assert.Contains(loginApi, s => s.Name == "login.password");
        Assert.Contains(loginApi, s => s.Name == "login.device-check");

        // The code: login-api publishes, the worker consumes in the same trace, and hands the email to SMTP.
        var publisher = await SpansAsync("login-api", sendTrace);
        var worker = await SpansAsync("notifications-worker", sendTrace);
        var publish = publisher.First(s => s.Source == "MassTransit" && s.Kind == "Producer");
        var receive = Assert.Single(worker, s => s.ParentSpanId == publish.SpanId);
        Assert.Equal("MassTransit", receive.Source);
        Assert.Equal("Consumer", receive.Kind);
        // The SMTP span descends from that receive span.
        var smtp = worker.Single(s => s.Name == "smtp send");
        var ancestor = smtp;
        while (ancestor.ParentSpanId is { } parent && ancestor.SpanId != receive.SpanId)
        {
            ancestor = worker.Single(s => s.SpanId == parent);
        }
        Assert.Equal(receive.SpanId, ancestor.SpanId);

        // The second factor and the session.
        var completion = await SpansAsync("login-api", verifyTrace);
        Assert.Contains(completion, s => s.Name == "login.second-factor");
        Assert.Contains(completion, s => s.Name == "login.session");
    }

    [Theory]
    [InlineData("login-api")]
    [InlineData("notifications-worker")]
    [InlineData("gateway")]
    public async Task Health_and_liveness_probes_and_the_queries_of_their_checks_leave_no_spans(string resource)
    {
        using var http = platform.ResourceClient(resource);
        var probes = new[] { ActivityTraceId.CreateRandom(), ActivityTraceId.CreateRandom() };
        foreach (var (trace, path) in probes.Zip(["/health", "/alive"]))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            // A sampled parent from the caller: without the filter the probe and its Redis/Postgres checks would be recorded.
            request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        }
        // The same caller's ordinary request is traced, so an empty answer below means filtered, not unrecorded.
        var ordinary = ActivityTraceId.CreateRandom();
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-page"))
        {
            request.Headers.Add("traceparent", $"00-{ordinary}-{ActivitySpanId.CreateRandom()}-01");
            await http.SendAsync(request);
        }
        await Task.Delay(1000);

        Assert.NotEmpty(await SpansAsync(resource, ordinary));
        foreach (var trace in probes)
        {
            Assert.Empty(await SpansAsync(resource, trace));
        }
    }

    [Fact]
    public async Task Gateway_spans_carry_the_concrete_route_with_identifiers_and_query_values_redacted()
    {
        var manager = await platform.CreateUserAsync("span-mgr", roles: ["AccountManager", "User"]);
        using var client = await platform.SignedInManagerAsync(manager);
        var victim = Guid.NewGuid();

        var login = ActivityTraceId.CreateRandom();
        await SendTracedAsync(client, login, "/api/auth/login", new { username = "nobody-span", password = "wrong-password-1" });
        var verify = ActivityTraceId.CreateRandom();
        await SendTracedAsync(client, verify, "/api/auth/second-factor/verify", new { flowId = "x", code = "123456" });
        var unlock = ActivityTraceId.CreateRandom();
        await SendTracedAsync(client, unlock, $"/api/admin/users/{victim}/unlock", new { });
        var reset = ActivityTraceId.CreateRandom();
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/reset-password?token=secret-reset-token-123"))
        {
            request.Headers.Add("traceparent", $"00-{reset}-{ActivitySpanId.CreateRandom()}-01");
            await client.SendAsync(request);
        }
        await Task.Delay(1000);

        Assert.Equal("POST /api/auth/login", await GatewayServerSpanNameAsync(login));
        Assert.Equal("POST /api/auth/second-factor/verify", await GatewayServerSpanNameAsync(verify));
        Assert.Equal("POST /api/admin/users/{id}/unlock", await GatewayServerSpanNameAsync(unlock));
        Assert.Equal("GET /reset-password", await GatewayServerSpanNameAsync(reset));
        var resetSpan = (await SpansAsync("gateway", reset)).Single(s => s.Kind == "Server");
        Assert.DoesNotContain(resetSpan.Tags.Values, v => v?.Contains("secret-reset-token-123") == true);
        Assert.DoesNotContain(resetSpan.Name, victim.ToString());
    }

    private async Task<string> GatewayServerSpanNameAsync(ActivityTraceId trace) =>
        (await SpansAsync("gateway", trace)).Single(s => s.Kind == "Server").Name;

    private static Task<HttpResponseMessage> SendTracedAsync(HttpClient client, ActivityTraceId trace, string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        return client.SendAsync(request);
    }

    private async Task<SpanRecordView[]> SpansAsync(string resource, ActivityTraceId trace)
    {
        using var http = platform.ResourceClient(resource);
        return (await http.GetFromJsonAsync<SpanRecordView[]>($"/testing/spans?traceId={trace}", PlatformFixture.JsonOptions))!;
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}

public sealed record SpanRecordView(string TraceId, string SpanId, string? ParentSpanId, string Name, string Source, string Kind,
    Dictionary<string, string?> Tags);
