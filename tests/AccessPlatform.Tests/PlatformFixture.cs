using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AccessPlatform.Tests;

/// <summary>
/// Starts the whole AppHost once for the collection, on random ports and a data folder of its own (removed after),
/// and waits until every resource is healthy. Tests reach the system only through the gateway, plus the mail and
/// SMS catchers to read what was delivered.
/// </summary>
public class PlatformFixture : IAsyncLifetime
{
    public static readonly string[] Resources =
        ["postgres", "login-db", "sso-db", "redis", "messaging", "mail", "twilio-sink", "login-api", "sso-api", "notifications-worker", "gateway"];

    private readonly string dataDirectory = Path.Combine(RepoRoot, ".data", $"test-{Guid.NewGuid():N}"[..13]);
    private DistributedApplication? app;
    private readonly CancellationTokenSource logWatch = new();
    private readonly string[] extraArguments;

    public PlatformFixture() : this([])
    {
    }

    /// <summary>A stack of its own with more settings on top of the usual ones (a collection that needs another configuration).</summary>
    internal PlatformFixture(IEnumerable<string> extraArguments) => this.extraArguments = [.. extraArguments];

    /// <summary>Every console line every resource wrote during the run (the secret-scan test reads them).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ResourceLogLines { get; } = new();

    /// <summary>
    /// A resource log line at Error or above: the .NET console logger's <c>fail:</c>/<c>crit:</c> (colored, after
    /// the timestamp DCP adds), Postgres' <c>ERROR:</c>/<c>FATAL:</c>/<c>PANIC:</c>, RabbitMQ's <c>[error]</c>.
    /// </summary>
    public static bool IsErrorOrAbove(string line) =>
        System.Text.RegularExpressions.Regex.IsMatch(System.Text.RegularExpressions.Regex.Replace(line, @"\x1B\[[0-9;]*m", ""),
            @"^\S*\s*(fail|crit):|\b(ERROR|FATAL|PANIC):|\[(error|critical)\]");

    public DistributedApplication App => app ?? throw new InvalidOperationException("The platform is not started.");

    public Uri GatewayAddress { get; private set; } = null!;

    /// <summary>Settings the tests need, passed to the AppHost and from there to the services.</summary>
    private IEnumerable<string> Arguments => [.. BaseArguments, .. ExtraArguments];

    /// <summary>The resources start-up waits to be healthy.</summary>
    protected virtual IEnumerable<string> WaitedResources => Resources;

    /// <summary>What a variant of the stack adds (e.g. replicas); the base stack adds nothing.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    private IEnumerable<string> BaseArguments =>
    [
        "--AppHost:FixedPorts=false",
        $"--Infrastructure:DataDirectory={dataDirectory}",
        // Small, known limits so the limits themselves can be tested quickly.
        "--Services:gateway:Gateway:Auth:PermitLimit=40",
        "--Services:gateway:Gateway:Auth:WindowSeconds=60",
        $"--Services:gateway:Gateway:SamlReads:PermitLimit={SamlReadBudget}",
        "--Services:gateway:Gateway:SamlReads:WindowSeconds=60",
        "--Services:notifications-worker:Notifications:Retry:MinIntervalMs=100",
        "--Services:notifications-worker:Notifications:Retry:MaxIntervalMs=500",
        "--Services:notifications-worker:Notifications:Retry:IntervalDeltaMs=100",
        "--Services:notifications-worker:Mail:TimeoutMs=2000",
        // Test users and a controllable clock (session and lockout expiry) on an /internal path.
        "--Services:login-api:Testing:Enabled=true",
        "--Services:gateway:Testing:Enabled=true",
        "--Services:sso-api:Testing:Enabled=true",
        "--Services:notifications-worker:Testing:Enabled=true",
        $"--Services:login-api:Login:IpFailureBudget:MaxFailures={IpFailureBudget}",
        // One loopback address plays the TLS terminator in front of the gateway; every other client is untrusted.
        $"--Services:gateway:Gateway:TrustedProxies:0={TlsTerminator}",
        $"--Services:login-api:Ops:TestEmailTo:0=ops@access-platform.local,{OpsTestEmail}",
        $"--Services:login-api:Ops:TestSmsTo:0=+15005550006,{OpsTestSms}",
        // IdP metadata by URL: the tests' https server on 127.0.0.1 (TestMetadataServer); loopback only, and only in tests.
        "--Services:sso-api:Sso:MetadataFetch:AllowLoopback=true",
        $"--Services:sso-api:Sso:MetadataFetch:TrustedCertificateFile={TestMetadataServer.CertificateFile}",
        "--Services:sso-api:Sso:MetadataRefresh:PollInterval=00:00:02",
        .. extraArguments,
    ];

    /// <summary>The address the gateway trusts as its TLS terminator (<c>Gateway:TrustedProxies</c>).</summary>
    public static readonly IPAddress TlsTerminator = IPAddress.Parse("127.0.2.1");

    /// <summary>Ops' own test recipients (<c>Ops:TestEmailTo</c> / <c>Ops:TestSmsTo</c>); nothing else may be a test recipient.</summary>
    public const string OpsTestEmail = "ops-test@example.test";
    public const string OpsTestSms = "+385911234512";

    /// <summary>The AppHost's generated internal key, which every <c>/internal</c> route requires.</summary>
    public string InternalApiKey { get; private set; } = "";

    public const int IpFailureBudget = 20;

    /// <summary>SAML GETs one client address may make per minute (<c>Gateway:SamlReads</c>).</summary>
    public const int SamlReadBudget = 50;

    private int nextClientIp = 19;

    /// <summary>
    /// The device test users trust from the start, so tests about other things are not asked for a code;
    /// second-factor tests use <c>newDevice: true</c> clients or users created with <c>trustDevice: false</c>.
    /// </summary>
    public string TrustedDeviceId { get; } = $"trusted-test-device-{Guid.NewGuid():N}";

    /// <summary>A gateway client with a loopback address no other test uses, on the trusted test device unless asked otherwise.</summary>
    public HttpClient NewClient(bool cookies = true, bool newDevice = false) =>
        GatewayClient(NextClientAddress(), cookies, deviceId: cookies && !newDevice ? TrustedDeviceId : null);

    /// <summary>127.1.x.y, never reused in a run (127.0.x.y stays for fixed addresses such as the trusted terminator), so no test inherits another's per-IP budget.</summary>
    private IPAddress NextClientAddress()
    {
        var n = Interlocked.Increment(ref nextClientIp);
        return new IPAddress([127, 1, (byte)(n / 254), (byte)(1 + n % 254)]);
    }

    public virtual async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([.. Arguments], (options, settings) =>
        {
            options.DisableDashboard = true;
            options.AllowUnsecuredTransport = true;
            settings.EnvironmentName = "Development";
        });
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await app.StartAsync(timeout.Token);
        foreach (var resource in WaitedResources)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
        var logs = app.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.ResourceLoggerService>();
        var model = app.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.DistributedApplicationModel>();
        foreach (var resource in model.Resources)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in logs.WatchAsync(resource).WithCancellation(logWatch.Token))
                    {
                        foreach (var line in batch)
                        {
                            ResourceLogLines.Enqueue(line.Content);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }
        var keyParameter = model.Resources.OfType<Aspire.Hosting.ApplicationModel.ParameterResource>().Single(p => p.Name == "internal-api-key");
        InternalApiKey = await keyParameter.GetValueAsync(timeout.Token) ?? throw new InvalidOperationException("No internal key.");
        var gateway = app.GetEndpoint("gateway", "http");
        GatewayAddress = new UriBuilder(gateway) { Host = "127.0.0.1" }.Uri;
    }

    public async Task DisposeAsync()
    {
        await logWatch.CancelAsync();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        // Servers may still be flushing for a moment after their process group ends.
        for (var attempt = 0; attempt < 10 && Directory.Exists(dataDirectory); attempt++)
        {
            try { Directory.Delete(dataDirectory, recursive: true); }
            catch (IOException) { await Task.Delay(500); }
            catch (UnauthorizedAccessException) { await Task.Delay(500); }
        }
    }

    /// <summary>
    /// A client of the gateway that connects from its own loopback address (127.0.0.x), so each test class is its
    /// own "client IP" for the per-IP limits, as separate users on the internet would be.
    /// </summary>
    public HttpClient GatewayClient(byte clientIp, bool cookies = true, bool redirects = false, string? deviceId = null) =>
        GatewayClient(new IPAddress([127, 0, 0, clientIp]), cookies, redirects, deviceId);

    /// <summary>A client of the gateway that connects from <paramref name="source"/> (a loopback address).</summary>
    public HttpClient GatewayClient(IPAddress source, bool cookies = true, bool redirects = false, string? deviceId = null)
    {
        var jar = new CookieContainer();
        if (deviceId is not null)
        {
            jar.Add(GatewayAddress, new Cookie("ap_device", deviceId, "/"));
        }
        return new HttpClient(BoundHandler(source, cookies, redirects, jar)) { BaseAddress = GatewayAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    private static SocketsHttpHandler BoundHandler(IPAddress source, bool cookies = false, bool redirects = false, CookieContainer? jar = null) => new()
    {
        UseCookies = cookies,
        CookieContainer = jar ?? new CookieContainer(),
        AllowAutoRedirect = redirects,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>A client of a resource's own endpoint (not the gateway), with the internal key every <c>/internal</c> route needs.</summary>
    public HttpClient ResourceClient(string resource, bool internalKey = true)
    {
        var client = App.CreateHttpClient(resource, "http");
        if (internalKey)
        {
            client.DefaultRequestHeaders.Add(AccessPlatform.Contracts.InternalApi.KeyHeader, InternalApiKey);
        }
        return client;
    }

    /// <summary>
    /// A client that reaches a service's own port directly from <paramref name="source"/>, past DCP's proxy (whose
    /// connections come from 127.0.0.1 like the gateway's): someone on the internal network, not the gateway.
    /// </summary>
    public HttpClient DirectServiceClient(string resource, IPAddress source)
    {
        Assert.True(App.ResourceNotifications.TryGetCurrentState(resource, out var state), resource);
        var urls = state!.Snapshot.EnvironmentVariables.FirstOrDefault(e => e.Name == "ASPNETCORE_URLS")?.Value
            ?? throw new InvalidOperationException($"{resource} has no ASPNETCORE_URLS.");
        var target = new UriBuilder(urls.Split(';')[0]) { Host = "127.0.0.1" }.Uri;
        return new HttpClient(BoundHandler(source)) { BaseAddress = target, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Polls smtp4dev until a message to <paramref name="recipient"/> matching the filter arrives.</summary>
    public async Task<MailMessage> WaitForEmailAsync(string recipient, Func<MailMessage, bool>? filter = null, TimeSpan? within = null)
    {
        using var mail = ResourceClient("mail");
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            var page = await mail.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=200");
            foreach (var item in page.GetProperty("results").EnumerateArray())
            {
                var to = item.GetProperty("to").EnumerateArray().Select(t => t.GetString()).ToArray();
                if (!to.Contains(recipient, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }
                var id = item.GetProperty("id").GetString()!;
                var message = new MailMessage(id, to!, item.GetProperty("subject").GetString() ?? "",
                    await mail.GetStringAsync($"/api/messages/{id}/plaintext"), await mail.GetStringAsync($"/api/messages/{id}/source"));
                if (filter?.Invoke(message) ?? true)
                {
                    AssertMultipart(message.Subject, await mail.GetStringAsync($"/api/messages/{id}/raw"));
                    return message;
                }
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"No matching email to {recipient} arrived.");
    }

    /// <summary>
    /// Every email the platform sends (but the operators' delivery test) is multipart/alternative: a text part and an
    /// HTML part of the one layout (Login.Api/Notifications/EmailTemplate.cs). Checked on every mail a test reads.
    /// </summary>
    /// <param name="raw">The message as it arrived (smtp4dev's <c>/raw</c>; its <c>/source</c> is the HTML part when there is one).</param>
    private static void AssertMultipart(string subject, string raw)
    {
        if (subject == "Access Platform test email")
        {
            return;
        }
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"(?im)^Content-Type:\s*multipart/alternative"), raw);
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"(?im)^Content-Type:\s*text/plain"), raw);
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"(?im)^Content-Type:\s*text/html"), raw);
    }

    /// <summary>Polls the Twilio stand-in until an SMS to <paramref name="to"/> matching the filter arrives.</summary>
    public async Task<ReceivedSms> WaitForSmsAsync(string to, Func<ReceivedSms, bool>? filter = null, TimeSpan? within = null)
    {
        using var sink = ResourceClient("twilio-sink");
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            var all = await sink.GetFromJsonAsync<ReceivedSms[]>("/api/messages", JsonOptions) ?? [];
            if (all.LastOrDefault(m => m.To == to && (filter?.Invoke(m) ?? true)) is { } sms)
            {
                return sms;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"No matching SMS to {to} arrived.");
    }

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

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
}

public sealed record MailMessage(string Id, string[] To, string Subject, string PlainText, string Source);

public sealed record ReceivedSms(
    string Sid, string AccountSid, string? To, string? From, string? MessagingServiceSid, string? Body,
    string? BasicAuthUser, bool Authenticated, DateTimeOffset ReceivedAt, int Status);

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
