using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;

namespace AccessPlatform.Tests;

/// <summary>
/// The independent identity provider of the SSO tests: tests/saml-idp (samlify from npm) on a random local port,
/// with key pairs generated for this run: "primary" and "secondary" (a rollover) and "attacker" (never configured).
/// </summary>
public sealed partial class SamlIdpFixture : IAsyncLifetime
{
    public const string EntityId = "https://idp.test.example/saml";
    public static readonly string[] KeyNames = ["primary", "secondary", "attacker"];

    private readonly string keysDirectory = Path.Combine(Path.GetTempPath(), $"saml-idp-{Guid.NewGuid():N}");
    private readonly Dictionary<string, string> certificatePems = [];
    private Process? process;

    public Uri Address { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string CertificatePem(string key) => certificatePems[key];

    public async Task InitializeAsync()
    {
        var directory = Path.Combine(RepoRoot, "tests", "saml-idp");
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            // test.sh does this too; here for runs that start from dotnet test directly.
            await RunAsync("npm", $"ci --no-audit --no-fund --prefix \"{directory}\"");
        }
        Directory.CreateDirectory(keysDirectory);
        foreach (var name in KeyNames)
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest($"CN=Test IdP {name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            certificatePems[name] = certificate.ExportCertificatePem();
            await File.WriteAllTextAsync(Path.Combine(keysDirectory, $"{name}.crt"), certificatePems[name]);
            await File.WriteAllTextAsync(Path.Combine(keysDirectory, $"{name}.key"), rsa.ExportPkcs8PrivateKeyPem());
        }
        process = Process.Start(new ProcessStartInfo("node", [Path.Combine(directory, "idp.js"), keysDirectory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("node did not start.");
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The test IdP did not start: {line} {await process.StandardError.ReadToEndAsync()}");
        }
        Address = new Uri($"http://127.0.0.1:{line["LISTENING ".Length..].Trim()}");
    }

    public Task DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
        }
        process?.Dispose();
        Http.Dispose();
        NoRedirectHttp.Dispose();
        Directory.Delete(keysDirectory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A response signed by the IdP; <paramref name="mint"/> shapes it (hostile cases).</summary>
    public async Task<string> MintAsync(MintRequest mint)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(Address, "/mint"), mint, PlatformFixture.JsonOptions);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("samlResponse").GetString()!;
    }

    public Task<string> MetadataAsync() => Http.GetStringAsync(new Uri(Address, "/metadata"));

    /// <summary>For single logout: the IdP's answers are redirects the test follows itself (to the gateway, with the browser's cookies).</summary>
    public HttpClient NoRedirectHttp { get; } = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>An IdP-initiated LogoutRequest (HTTP-Redirect, signed by samlify with <paramref name="key"/>): its id and URL at the SP.</summary>
    public async Task<(string Id, Uri Url)> LogoutRequestAsync(string spMetadata, string nameId, string? sessionIndex = null, string key = "primary")
    {
        using var response = await Http.PostAsJsonAsync(new Uri(Address, "/logout-request"), new { spMetadata, nameId, sessionIndex, key });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var json = JsonDocument.Parse(body).RootElement;
        return (json.GetProperty("id").GetString()!, new Uri(json.GetProperty("url").GetString()!));
    }

    /// <summary>samlify verifies the SP's LogoutResponse (signature with the SP metadata's key, issuer, status Success) and returns what it read.</summary>
    public async Task<JsonElement> ParseLogoutResponseAsync(string spMetadata, Uri url)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(Address, "/parse-logout-response"), new { spMetadata, url = url.ToString() });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>An HTTP-Redirect query carrying <paramref name="deflated"/>, signed with the IdP key <paramref name="key"/> (hostile cases).</summary>
    public string SignedRedirectQuery(string parameter, byte[] deflated, string key = "primary")
    {
        var query = $"{parameter}={Uri.EscapeDataString(Convert.ToBase64String(deflated))}&SigAlg={Uri.EscapeDataString("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")}";
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(Path.Combine(keysDirectory, $"{key}.key")));
        var signature = rsa.SignData(Encoding.UTF8.GetBytes(query), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return query + "&Signature=" + Uri.EscapeDataString(Convert.ToBase64String(signature));
    }

    /// <summary>The ID of the AuthnRequest in an HTTP-Redirect URL (what the IdP will answer with InResponseTo).</summary>
    public static string RequestIdOf(Uri redirect)
    {
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Query);
        using var inflate = new DeflateStream(new MemoryStream(Convert.FromBase64String(query["SAMLRequest"]!)), CompressionMode.Decompress);
        var doc = new XmlDocument();
        doc.Load(inflate);
        return doc.DocumentElement!.GetAttribute("ID");
    }

    /// <summary>The auto-posting form an IdP answers with: where it posts, and its fields.</summary>
    public static (string Action, Dictionary<string, string> Fields) ReadForm(string html)
    {
        var action = System.Net.WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
        var fields = HiddenInput().Matches(html).ToDictionary(m => m.Groups[1].Value, m => System.Net.WebUtility.HtmlDecode(m.Groups[2].Value));
        return (action, fields);
    }

    private static async Task RunAsync(string file, string arguments)
    {
        using var run = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = run.StandardOutput.ReadToEndAsync();
        var error = run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed: {await output} {await error}");
        }
    }

    private static string RepoRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AccessPlatform.sln")))
            {
                directory = directory.Parent;
            }
            return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
        }
    }

    [GeneratedRegex("<form[^>]*action=\"([^\"]*)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInput();
}

/// <summary>What the test IdP's /mint takes (see tests/saml-idp/idp.js).</summary>
public sealed record MintRequest
{
    public required string SpEntityId { get; init; }
    public required string AcsUrl { get; init; }
    public string? InResponseTo { get; init; }
    public required string NameId { get; init; }
    public string? NameIdFormat { get; init; }
    public string? Email { get; init; }
    public string? GivenName { get; init; }
    public string? Surname { get; init; }
    public string Key { get; init; } = "primary";
    public string Algorithm { get; init; } = "sha256";
    public bool SignResponse { get; init; }
    public bool SignAssertion { get; init; } = true;
    public Dictionary<string, string>? Overrides { get; init; }
    public Dictionary<string, double>? ShiftMinutes { get; init; }
    /// <summary>The SP metadata samlify takes the encryption certificate from (with <see cref="Encryption"/>).</summary>
    public string? SpMetadata { get; init; }
    public MintEncryption? Encryption { get; init; }
}

/// <summary>samlify's dataEncryptionAlgorithm and keyEncryptionAlgorithm (XML Encryption URIs).</summary>
public sealed record MintEncryption(string DataAlgorithm, string KeyAlgorithm);
