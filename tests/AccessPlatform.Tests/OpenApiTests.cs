using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AccessPlatform.Tests;

/// <summary>
/// The OpenAPI documents the gateway serves (<c>/openapi/login.json</c>, <c>/openapi/sso.json</c>), the checked-in
/// copies under <c>docs/openapi/</c>, and the Scalar reference at <c>/docs</c>.
/// To update the checked-in documents after an API change: <c>UPDATE_OPENAPI=1 dotnet test tests/AccessPlatform.Tests
/// --filter "FullyQualifiedName~OpenApiTests"</c>, then review and commit the diff (see docs/operations.md).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class OpenApiTests(PlatformFixture platform)
{
    public static readonly TheoryData<string, string> Services = new() { { "login", "login-api" }, { "sso", "sso-api" } };

    /// <summary>Routes of a service that are not part of its public API, and why.</summary>
    private static readonly string[] NotApi =
    [
        "/internal/",          // service-to-service (SSO bridge, ops, operator, testing): the gateway never routes it
        "/testing/",           // test-only span recorder (Testing:Enabled)
        "/health", "/alive",   // probes; the gateway never routes them
        "/openapi/",           // the document itself
    ];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task The_checked_in_OpenAPI_document_is_the_one_the_gateway_serves(string name, string resource)
    {
        _ = resource;
        var served = Normalize(await GetDocumentAsync(name));
        var file = Path.Combine(RepositoryRoot(), "docs", "openapi", $"{name}.json");
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, served);
            return;
        }
        var checkedIn = File.Exists(file) ? (await File.ReadAllTextAsync(file)).ReplaceLineEndings("\n") : "";
        Assert.True(checkedIn == served,
            $"docs/openapi/{name}.json differs from the document the gateway serves at /openapi/{name}.json. If the API change is intended, run\n" +
            $"  UPDATE_OPENAPI=1 dotnet test tests/AccessPlatform.Tests --filter \"FullyQualifiedName~OpenApiTests\"\n" +
            $"and commit the updated file. First difference:\n{FirstDifference(checkedIn, served)}");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_public_endpoint_of_the_service_is_in_its_OpenAPI_document(string name, string resource)
    {
        using var service = platform.ResourceClient(resource);
        var routes = await service.GetFromJsonAsync<Route[]>("/internal/testing/openapi/routes", PlatformFixture.JsonOptions);
        var document = JsonNode.Parse(await GetDocumentAsync(name))!;
        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key.TrimEnd('/')}"))
            .ToHashSet(StringComparer.Ordinal);

        var api = routes!.Where(r => !r.IsPage && !NotApi.Any(prefix => ("/" + r.Pattern.TrimStart('/')).StartsWith(prefix.TrimEnd('/'), StringComparison.Ordinal)))
            .ToArray();
        Assert.NotEmpty(api);
        var missing = api.SelectMany(r => r.Methods.Select(m => $"{m} {OpenApiPath(r.Pattern)}")).Where(op => !documented.Contains(op)).ToArray();
        Assert.True(missing.Length == 0, $"Public endpoints missing from /openapi/{name}.json:\n  " + string.Join("\n  ", missing));
        // Nothing internal leaks into the public document.
        Assert.DoesNotContain(documented, op => op.Contains(" /internal", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_operation_has_a_summary_and_problem_responses_and_the_authorized_ones_name_the_session_cookie(string name, string resource)
    {
        _ = resource;
        var document = JsonNode.Parse(await GetDocumentAsync(name))!;
        var scheme = document["components"]!["securitySchemes"]!["session"]!;
        Assert.Equal("apiKey", (string?)scheme["type"]);
        Assert.Equal("cookie", (string?)scheme["in"]);
        Assert.Equal("ap_session", (string?)scheme["name"]); // the fixture runs in Development
        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value!))).ToArray();
        var unsummarized = operations.Where(o => string.IsNullOrWhiteSpace((string?)o.Operation["summary"])).Select(o => $"{o.Method} {o.Path}").ToArray();
        Assert.True(unsummarized.Length == 0, "Operations without a summary:\n  " + string.Join("\n  ", unsummarized));
        Assert.All(operations, o => Assert.NotNull(o.Operation["responses"]!["429"]!["content"]!["application/problem+json"]));
        Assert.Contains(operations, o => o.Operation["security"] is JsonArray { Count: > 0 } security && security[0]!["session"] is not null);
    }

    [Fact]
    public async Task The_login_document_names_the_problem_types_of_a_login()
    {
        var document = JsonNode.Parse(await GetDocumentAsync("login"))!;
        var verify = document["paths"]!["/api/auth/second-factor/verify"]!["post"]!;
        var wrongCode = verify["responses"]!["401"]!["x-problem-types"]!.AsArray().Select(t => (string?)t).ToArray();
        Assert.Contains("https://access-platform/problems/wrong-code", wrongCode);
        var session = document["paths"]!["/api/auth/sessions/{id}"]!["delete"]!;
        Assert.Contains("https://access-platform/problems/cross-site-request",
            session["responses"]!["403"]!["x-problem-types"]!.AsArray().Select(t => (string?)t));
    }

    [Fact]
    public async Task The_API_reference_page_allows_only_its_own_nonced_script_and_loads_nothing_from_elsewhere()
    {
        using var client = platform.NewClient(cookies: false);
        using var response = await client.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        var nonce = NonceAttribute().Match(html).Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains($"script-src 'self' 'nonce-{nonce}'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.DoesNotContain("http", csp);
        // Scalar's own bundle, served by the gateway: no script from a CDN.
        var sources = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(sources);
        Assert.All(sources, src => Assert.False(src.Contains("//", StringComparison.Ordinal), src));

        using var again = await client.GetAsync("/docs/");
        Assert.NotEqual(nonce, NonceAttribute().Match(await again.Content.ReadAsStringAsync()).Groups[1].Value);
        // Every other page keeps the platform's strict CSP.
        using var login = await client.GetAsync("/login");
        Assert.DoesNotContain("nonce-", string.Join(";", login.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task The_API_reference_renders_both_APIs_in_a_browser_without_CSP_errors()
    {
        await using var browser = await SharedChromium.LeaseAsync();
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "en-US", ViewportSize = new() { Width = 1280, Height = 900 } });
        var problems = new List<string>();
        var foreign = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Text.Contains("Refused to", StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);
        page.Request += (_, request) =>
        {
            if (new Uri(request.Url) is { Scheme: "http" or "https" } uri && uri.Authority != platform.GatewayAddress.Authority)
            {
                foreign.Add(request.Url);
            }
        };
        Directory.CreateDirectory(Screenshots);

        await page.GotoAsync(new Uri(platform.GatewayAddress, "/docs/").ToString());
        var loginTitle = page.GetByRole(AriaRole.Heading, new() { Name = "Access Platform: Login API" });
        await loginTitle.WaitForAsync(new() { Timeout = 60_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "docs-login-api.png") });
        // The document selector lists both APIs; choosing the SSO API renders its document.
        await page.Locator(".document-selector button").First.ClickAsync();
        var sso = page.GetByRole(AriaRole.Option, new() { Name = "SSO API" });
        await sso.WaitForAsync(new() { Timeout = 30_000 });
        Assert.True(await page.GetByRole(AriaRole.Option, new() { Name = "Login API" }).IsVisibleAsync());
        await sso.ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Access Platform: SSO API" }).WaitForAsync(new() { Timeout = 60_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "docs-sso-api.png") });

        Assert.True(problems.Count == 0, "CSP or script errors on /docs:\n" + string.Join("\n", problems));
        Assert.True(foreign.Count == 0, "Requests to other origins:\n" + string.Join("\n", foreign));
    }

    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private async Task<string> GetDocumentAsync(string name)
    {
        using var client = platform.NewClient(cookies: false);
        using var response = await client.GetAsync($"/openapi/{name}.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Indented, "\n" line ends, trailing newline: the form the checked-in files have.</summary>
    private static string Normalize(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .ReplaceLineEndings("\n") + "\n";

    private static string FirstDifference(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "<end of file>";
            var right = i < b.Length ? b[i] : "<end of file>";
            if (left != right)
            {
                return $"line {i + 1}:\n  checked in: {left.Trim()}\n  served:     {right.Trim()}";
            }
        }
        return "(none)";
    }

    /// <summary>"/api/admin/users/{id:guid}" → "/api/admin/users/{id}", as OpenAPI writes a route's parameters (trailing slash dropped on both sides).</summary>
    private static string OpenApiPath(string pattern) =>
        ("/" + RouteParameter().Replace(pattern.TrimStart('/'), m => "{" + m.Groups[1].Value + "}")).TrimEnd('/');

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AccessPlatform.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("AccessPlatform.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"\{\*{0,2}([^:=?}]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("<script[^>]* nonce=\"([^\"]+)\"")]
    private static partial Regex NonceAttribute();

    [GeneratedRegex("<script[^>]* src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();

    private sealed record Route(string Pattern, string[] Methods, bool IsPage, bool ExcludedFromDescription);
}
