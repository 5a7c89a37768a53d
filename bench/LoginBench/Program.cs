using System.Globalization;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Login benchmark: starts the whole stack (as the tests do; Release builds, no dashboard), then measures password
// logins end to end through the gateway at 2, 8 and 32 concurrent clients, the same for the stock ASP.NET Core
// Identity peer (its default hasher, then our Argon2id), the CPU of every process per login, code delivery latency
// by SMS and email at 20 logins/s, and the stack's memory (PSS) idle and at saturation. Prints only tables; every
// resource's log goes to a file named at the start.
//   dotnet run -c Release --project bench/LoginBench [-- --seconds 15] [--delivery-seconds 15] [--skip-peer] [--skip-delivery] [--delivery-only]
// With --enumeration [N] it instead compares the answer times of failed logins (unknown user, wrong password, locked
// account; N each, default 200), which must not tell an attacker which usernames exist.
//   dotnet run -c Release --project bench/LoginBench -- --enumeration 200
var seconds = Option("--seconds", 15);
var levels = new[] { 2, 8, 32 };
var logPath = Path.Combine(Path.GetTempPath(), $"login-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
Console.WriteLine($"LoginBench {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg")[..14]}");
Console.WriteLine($"resource logs: {logPath}");

if (args.Contains("--hash-only"))
{
    HashCost.Print();
    return 0;
}
var argonMs = HashCost.Argon2idMs();
var pbkdf2Ms = HashCost.Pbkdf2Ms();

var dataDirectory = Path.Combine(Path.GetTempPath(), $"access-platform-bench-{Guid.NewGuid():N}");
var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
[
    "--AppHost:FixedPorts=false", $"--Infrastructure:DataDirectory={dataDirectory}",
    // The benchmark is one client address hammering logins: lift the per-IP limits, keep everything else as shipped.
    "--Services:gateway:Gateway:Auth:PermitLimit=1000000", "--Services:gateway:Gateway:General:PermitLimit=1000000",
    "--Services:login-api:Login:IpFailureBudget:MaxFailures=1000000", "--Services:login-api:Testing:Enabled=true",
    "--Services:login-api:Logging:LogLevel:Default=Warning", "--Services:gateway:Logging:LogLevel:Default=Warning",
], (options, settings) => { options.DisableDashboard = true; options.AllowUnsecuredTransport = true; settings.EnvironmentName = "Development"; });
var fileLogs = new FileLoggerProvider(logPath);
builder.Services.AddLogging(l => l.ClearProviders().AddProvider(fileLogs).SetMinimumLevel(LogLevel.Information));
await using var app = await builder.BuildAsync();
await app.StartAsync();
if (!await StackStart.WaitHealthyAsync(app, TimeSpan.FromMinutes(6), "login-api", "sso-api", "notifications-worker", "gateway"))
{
    Console.Error.WriteLine($"The stack did not become healthy within 6 minutes; see {logPath}");
    await StopAsync();
    return 1;
}
var gateway = new UriBuilder(app.GetEndpoint("gateway", "http")) { Host = "127.0.0.1" }.Uri;
var deviceId = $"bench-device-{Guid.NewGuid():N}";
if (args.Contains("--enumeration"))
{
    await EnumerationTiming.RunAsync(app, gateway, deviceId, Option("--enumeration", 200));
    await StopAsync();
    return 0;
}

// The login path's processes (CPU per login), and the production set (memory).
var loginPath = new List<MeasuredProcess>
{
    StackProcesses.Gateway(app), await StackProcesses.ServiceAsync(app, "Login.Api", "login-api"),
    StackProcesses.Server("Postgres (all its processes)", "postgres", dataDirectory), StackProcesses.Server("Redis", "redis-server", dataDirectory),
};
if (StackProcesses.Dcp() is { } dcp)
{
    loginPath.Add(dcp);
}
List<MeasuredProcess> productionSet =
[
    .. loginPath.Where(p => !p.Name.StartsWith("DCP", StringComparison.Ordinal)),
    await StackProcesses.ServiceAsync(app, "Sso.Api", "sso-api"), await StackProcesses.ServiceAsync(app, "Notifications.Worker", "notifications-worker"),
    StackProcesses.Server("RabbitMQ (beam, with its children)", "beam.smp", dataDirectory),
];
await Task.Delay(TimeSpan.FromSeconds(5)); // settle after start-up before the idle sample
var idle = productionSet.ToDictionary(p => p.Name, p => p.PssKiB());

// One user per client, each on a device it already trusts: the steady-state login (no second factor).
var users = new List<(string Username, string Password)>();
using (var loginApi = await InternalClient.LoginApiAsync(app))
{
    for (var i = 0; i < levels.Max(); i++)
    {
        var user = ($"bench-{i}-{Guid.NewGuid():N}"[..20], $"bench-password-{Guid.NewGuid():N}");
        (await loginApi.PostAsJsonAsync("/internal/testing/users", new
        {
            account = "bench", username = user.Item1, email = $"{user.Item1}@bench.test", password = user.Item2, trustedDeviceId = deviceId,
        })).EnsureSuccessStatusCode();
        users.Add(user);
    }
}

var handler = new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
using var http = new HttpClient(handler) { BaseAddress = gateway };
HttpRequestMessage PlatformLogin(int client)
{
    var (username, password) = users[client];
    var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { username, password }) };
    request.Headers.Add("Cookie", $"ap_device={deviceId}");
    return request;
}
using var loginApiInternal = await InternalClient.LoginApiAsync(app);
async Task<(long, double)> HashTotalsAsync()
{
    var totals = await loginApiInternal.GetFromJsonAsync<System.Text.Json.JsonElement>("/internal/testing/hash-cpu");
    return (totals.GetProperty("hashes").GetInt64(), totals.GetProperty("cpuMs").GetDouble());
}
// --delivery-only: the code delivery table alone (e.g. to compare two builds of the worker).
if (!args.Contains("--delivery-only"))
{
    var systems = new List<(string System, string Hash, double HashMs, List<PhaseResult> Phases)>();
    await LoadDriver.RunAsync(http, PlatformLogin, 2, TimeSpan.FromSeconds(3), loginPath); // warm-up
    var platform = new List<PhaseResult>();
    var saturated = new Dictionary<string, long>();
    foreach (var concurrency in levels)
    {
        using var sampler = concurrency == levels.Max() ? PssSampler.Start(productionSet, saturated) : null;
        platform.Add(await LoadDriver.RunAsync(http, PlatformLogin, concurrency, TimeSpan.FromSeconds(seconds), loginPath, HashTotalsAsync));
    }
    systems.Add(("this platform (through the gateway, trusted device)", "Argon2id 19 MiB t=2", argonMs, platform));

    if (!args.Contains("--skip-peer"))
    {
        var postgres = (await app.GetConnectionStringAsync("postgres"))!;
        foreach (var (hasher, label, hashMs) in new[] { ("default", "PBKDF2-SHA512 100k (its default)", pbkdf2Ms), ("argon2id", "Argon2id 19 MiB t=2 (ours, as IPasswordHasher)", argonMs) })
        {
            await using var peer = await IdentityPeer.StartAsync(postgres, hasher, logPath);
            using var peerHttp = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 256 });
            var peerUsers = await peer.RegisterAsync(peerHttp, levels.Max());
            var peerProcesses = new List<MeasuredProcess> { new("ASP.NET Core Identity peer", peer.Pid, false) };
            peerProcesses.AddRange(loginPath.Where(p => p.Name.StartsWith("Postgres", StringComparison.Ordinal)));
            await LoadDriver.RunAsync(peerHttp, c => peer.Login(peerUsers[c]), 2, TimeSpan.FromSeconds(3), peerProcesses); // warm-up
            var phases = new List<PhaseResult>();
            foreach (var concurrency in levels)
            {
                phases.Add(await LoadDriver.RunAsync(peerHttp, c => peer.Login(peerUsers[c]), concurrency, TimeSpan.FromSeconds(seconds), peerProcesses, peer.HashTotalsAsync));
            }
            systems.Add(($"stock ASP.NET Core Identity (MapIdentityApi, EF Core, cookie login, no gateway)", label, hashMs, phases));
        }
    }

    Tables.Systems(systems, levels, seconds);
    Tables.ProcessCpu(systems);
    Tables.Footprint(productionSet, idle, saturated);
}

if (!args.Contains("--skip-delivery"))
{
    const int rate = 20;
    var deliverySeconds = Option("--delivery-seconds", Math.Max(10, seconds));
    var results = new List<CodeDelivery.Result>();
    foreach (var channel in new[] { "sms", "email" })
    {
        results.Add(await CodeDelivery.RunAsync(app, http, channel, rate, deliverySeconds));
    }
    Tables.Delivery(results, rate);
}
await StopAsync();
Console.WriteLine();
Console.WriteLine($"resource logs: {logPath}");
return 0;

async Task StopAsync()
{
    await app.StopAsync();
    try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
}

int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);
