using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;

/// <summary>
/// The stock ASP.NET Core Identity app of bench/peers/AspNetIdentity, started by the bench as its own process on the
/// bench stack's Postgres (a database of its own per hasher) and driven by the same driver.
/// </summary>
internal sealed class IdentityPeer : IAsyncDisposable
{
    private readonly Process process;

    private IdentityPeer(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Pid => process.Id;

    public static async Task<IdentityPeer> StartAsync(string postgres, string hasher, string logPath)
    {
        var configuration = typeof(IdentityPeer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var dll = Path.Combine(RepositoryRoot(), "bench", "peers", "AspNetIdentity", "bin", configuration, "net10.0", "AspNetIdentityPeer.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("Build the peer first (LoginBench's build does it).", dll);
        }
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                dll, "--urls", $"http://127.0.0.1:{port}", "--ConnectionStrings:peer", $"{postgres};Database=identity_peer_{hasher}",
                "--Peer:Hasher", hasher, "--Logging:LogLevel:Default", "Warning",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("The peer did not start.");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine($"identity-peer-{hasher}: {e.Data}"); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine($"identity-peer-{hasher}! {e.Data}"); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var peer = new IdentityPeer(process, new Uri($"http://127.0.0.1:{port}"));
        using var probe = new HttpClient { BaseAddress = peer.Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await probe.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return peer;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new InvalidOperationException($"The Identity peer did not become healthy; see {logPath}.");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>One user per client, registered through Identity's own /register (its password rules: digit, upper, symbol).</summary>
    /// <summary>The peer's verifications and their thread CPU time so far (its measured hasher).</summary>
    public async Task<(long Hashes, double CpuMs)> HashTotalsAsync()
    {
        using var http = new HttpClient { BaseAddress = Address };
        var totals = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/bench/hash-cpu");
        return (totals.GetProperty("hashes").GetInt64(), totals.GetProperty("cpuMs").GetDouble());
    }

    public async Task<List<(string Email, string Password)>> RegisterAsync(HttpClient http, int count)
    {
        var users = new List<(string, string)>();
        for (var i = 0; i < count; i++)
        {
            var user = ($"peer-{i}-{Guid.NewGuid():N}@bench.test", $"Bench-Password-{Guid.NewGuid():N}!");
            (await http.PostAsJsonAsync(new Uri(Address, "/register"), new { email = user.Item1, password = user.Item2 })).EnsureSuccessStatusCode();
            users.Add(user);
        }
        return users;
    }

    /// <summary>Identity's cookie login: 200 with the application cookie, as a browser app uses it.</summary>
    public HttpRequestMessage Login((string Email, string Password) user) =>
        new(HttpMethod.Post, new Uri(Address, "/login?useCookies=true")) { Content = JsonContent.Create(new { email = user.Email, password = user.Password }) };

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AccessPlatform.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("AccessPlatform.sln not found above the bench.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
