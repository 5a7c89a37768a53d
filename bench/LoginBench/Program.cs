using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

// Login benchmark: starts the whole stack (as the tests do), then measures password logins end to end through the
// gateway at 2, 8 and 32 concurrent clients, and the cost of one Argon2id hash alone on the same machine.
//   dotnet run -c Release --project bench/LoginBench [-- --seconds 15]
// With --enumeration [N] it instead compares the answer times of failed logins (unknown user, wrong password, locked
// account; N each, default 200), which must not tell an attacker which usernames exist.
//   dotnet run -c Release --project bench/LoginBench -- --enumeration 200
var seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(int.Parse).FirstOrDefault(15);
var levels = new[] { 2, 8, 32 };

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}");
var hashMs = MeasureHashMs(out var hashesPerSecondAllCores);
Console.WriteLine($"argon2id m=19MiB t=2 p=1: {hashMs:F1} ms per hash on one core; {hashesPerSecondAllCores:F0} hashes/s on all cores");

var dataDirectory = Path.Combine(Path.GetTempPath(), $"access-platform-bench-{Guid.NewGuid():N}");
var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
[
    "--AppHost:FixedPorts=false", $"--Infrastructure:DataDirectory={dataDirectory}",
    // The benchmark is one client address hammering logins: lift the per-IP limits, keep everything else as shipped.
    "--Services:gateway:Gateway:Auth:PermitLimit=1000000", "--Services:gateway:Gateway:General:PermitLimit=1000000",
    "--Services:login-api:Login:IpFailureBudget:MaxFailures=1000000", "--Services:login-api:Testing:Enabled=true",
    "--Services:login-api:Logging:LogLevel:Default=Warning", "--Services:gateway:Logging:LogLevel:Default=Warning",
], (options, settings) => { options.DisableDashboard = true; options.AllowUnsecuredTransport = true; settings.EnvironmentName = "Development"; });
builder.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
await using var app = await builder.BuildAsync();
await app.StartAsync();
foreach (var resource in new[] { "gateway", "login-api", "notifications-worker" })
{
    await app.ResourceNotifications.WaitForResourceHealthyAsync(resource);
}
var gateway = new UriBuilder(app.GetEndpoint("gateway", "http")) { Host = "127.0.0.1" }.Uri;
var deviceId = $"bench-device-{Guid.NewGuid():N}";
var enumeration = args.SkipWhile(a => a != "--enumeration").ToArray();
if (enumeration.Length > 0)
{
    await EnumerationTiming.RunAsync(app, gateway, deviceId, enumeration.Skip(1).Select(int.Parse).FirstOrDefault(200));
    await app.StopAsync();
    try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
    return;
}

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
await RunAsync(http, users, deviceId, 2, TimeSpan.FromSeconds(3)); // warm-up

Console.WriteLine();
Console.WriteLine("| concurrent clients | logins/s | p50 ms | p99 ms | errors | hash share of login CPU |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
foreach (var concurrency in levels)
{
    var result = await RunAsync(http, users, deviceId, concurrency, TimeSpan.FromSeconds(seconds));
    // Every login costs one hash; the machine can do hashesPerSecondAllCores of them with nothing else running.
    var share = result.PerSecond / hashesPerSecondAllCores;
    Console.WriteLine($"| {concurrency} | {result.PerSecond:F1} | {result.P50:F1} | {result.P99:F1} | {result.Errors} | {share:P0} |");
}

// Delivery latency: new-device logins at a fixed rate, each sending its code by SMS; latency is from the send request
// to the moment the Twilio-compatible endpoint received the SDK's request (same machine clock).
const int rate = 20;
var deliverySeconds = Math.Max(10, seconds);
var smsUsers = new List<(string Username, string Password, string Phone)>();
using (var loginApi = await InternalClient.LoginApiAsync(app))
{
    for (var i = 0; i < rate * deliverySeconds; i++)
    {
        var phone = $"+38591{i:D7}";
        var user = ($"sms-{i}-{Guid.NewGuid():N}"[..20], $"bench-password-{Guid.NewGuid():N}", phone);
        (await loginApi.PostAsJsonAsync("/internal/testing/users", new
        {
            account = "bench", username = user.Item1, email = $"{user.Item1}@bench.test", password = user.Item2, phone,
        })).EnsureSuccessStatusCode();
        smsUsers.Add(user);
    }
}
var sentAt = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset>();
var pacing = Stopwatch.StartNew();
await Task.WhenAll(smsUsers.Select(async (user, i) =>
{
    var due = TimeSpan.FromSeconds((double)i / rate);
    if (due > pacing.Elapsed)
    {
        await Task.Delay(due - pacing.Elapsed);
    }
    var login = await http.PostAsJsonAsync("/api/auth/login", new { username = user.Username, password = user.Password });
    var flowId = (await login.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("flowId").GetString();
    sentAt[user.Phone] = DateTimeOffset.UtcNow;
    await http.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "sms" });
}));
await Task.Delay(5000);
using var sink = app.CreateHttpClient("twilio-sink", "http");
var received = await sink.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/api/messages");
var delivery = received!
    .Select(m => (To: m.GetProperty("to").GetString()!, At: m.GetProperty("receivedAt").GetDateTimeOffset()))
    .Where(m => sentAt.ContainsKey(m.To))
    .Select(m => (m.At - sentAt[m.To]).TotalMilliseconds)
    .Order().ToArray();
Console.WriteLine();
Console.WriteLine($"| code delivery at {rate} logins/s | codes | handed to provider | p50 ms | p99 ms |");
Console.WriteLine("|---|---:|---:|---:|---:|");
Console.WriteLine($"| SMS via RabbitMQ + worker + Twilio SDK | {smsUsers.Count} | {delivery.Length} | {Percentile(delivery, 0.5):F1} | {Percentile(delivery, 0.99):F1} |");

await app.StopAsync();
try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }

static async Task<(double PerSecond, double P50, double P99, int Errors)> RunAsync(
    HttpClient http, List<(string Username, string Password)> users, string deviceId, int concurrency, TimeSpan duration)
{
    var latencies = new List<double>[concurrency];
    var errors = 0;
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
    {
        latencies[worker] = [];
        var (username, password) = users[worker];
        while (stop.Elapsed < duration)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { username, password }) };
            request.Headers.Add("Cookie", $"ap_device={deviceId}");
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                latencies[worker].Add(elapsed);
            }
            else
            {
                Interlocked.Increment(ref errors);
            }
        }
    }));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return (all.Length / stop.Elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), errors);
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];

static double MeasureHashMs(out double perSecondAllCores)
{
    var argon = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters { MemorySize = 19 * 1024, NumberOfPasses = 2, DegreeOfParallelism = 1 });
    var salt = new byte[16];
    argon.DeriveBytes("warm-up", salt, 32);
    const int n = 60;
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < n; i++)
    {
        argon.DeriveBytes($"password-{i}", salt, 32);
    }
    var single = watch.Elapsed.TotalMilliseconds / n;
    var cores = Environment.ProcessorCount;
    watch.Restart();
    Parallel.For(0, n * cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, i => argon.DeriveBytes($"password-{i}", salt, 32));
    perSecondAllCores = n * cores / watch.Elapsed.TotalSeconds;
    return single;
}
