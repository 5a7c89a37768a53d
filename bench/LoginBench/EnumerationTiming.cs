using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

/// <summary>
/// Answer times of the three failed logins an attacker can tell apart only by time: unknown user, wrong password of
/// an existing user, and a locked account. One login at a time (no queueing), the three kinds interleaved so drift
/// of the machine hits all of them alike; the medians are compared, and the split-half difference of each kind (first
/// half against second half of the same kind) is the noise they must be compared with.
/// </summary>
internal static class EnumerationTiming
{
    public static async Task RunAsync(DistributedApplication app, Uri gateway, string deviceId, int perKind)
    {
        using var loginApi = await InternalClient.LoginApiAsync(app);
        // Wrong passwords: one per user, far below the lockout threshold, so none of them locks.
        var known = new List<string>();
        for (var i = 0; i < perKind + 20; i++)
        {
            known.Add(await CreateUserAsync(loginApi, $"enum-{i}", deviceId));
        }
        var locked = await CreateUserAsync(loginApi, "enum-locked", deviceId);

        var handler = new SocketsHttpHandler { UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = gateway };
        for (var i = 0; i < 10; i++)
        {
            await LoginAsync(http, locked, "wrong-password-to-lock", deviceId);
        }
        Console.WriteLine($"locked account answers: {await LoginAsync(http, locked, "wrong-password", deviceId)}");

        // Warm-up of every path (JIT, prepared statements, connection pools).
        for (var i = 0; i < 20; i++)
        {
            await TimeAsync(http, $"nobody-{Guid.NewGuid():N}"[..20], deviceId);
            await TimeAsync(http, known[perKind + i], deviceId);
            await TimeAsync(http, locked, deviceId);
        }

        var times = new Dictionary<string, List<double>> { ["unknown user"] = [], ["wrong password"] = [], ["locked account"] = [] };
        for (var i = 0; i < perKind; i++)
        {
            times["unknown user"].Add(await TimeAsync(http, $"nobody-{Guid.NewGuid():N}"[..20], deviceId));
            times["wrong password"].Add(await TimeAsync(http, known[i], deviceId));
            times["locked account"].Add(await TimeAsync(http, locked, deviceId));
        }

        var baseline = Median(times["unknown user"]);
        Console.WriteLine();
        Console.WriteLine($"| failed login ({perKind} each, one at a time) | median ms | p25 ms | p75 ms | ratio to unknown user | split-half noise |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (kind, list) in times)
        {
            var sorted = list.Order().ToArray();
            var half = list.Count / 2;
            var noise = Math.Abs(Median(list.Take(half)) - Median(list.Skip(half))) / Median(list);
            Console.WriteLine($"| {kind} | {Median(list):F2} | {sorted[list.Count / 4]:F2} | {sorted[list.Count * 3 / 4]:F2} | {Median(list) / baseline:F3} | {noise:P1} |");
        }
    }

    private static async Task<string> CreateUserAsync(HttpClient loginApi, string prefix, string deviceId)
    {
        var username = $"{prefix}-{Guid.NewGuid():N}"[..24];
        (await loginApi.PostAsJsonAsync("/internal/testing/users", new
        {
            account = "bench", username, email = $"{username}@bench.test", password = $"bench-password-{Guid.NewGuid():N}", trustedDeviceId = deviceId,
        })).EnsureSuccessStatusCode();
        return username;
    }

    private static async Task<double> TimeAsync(HttpClient http, string username, string deviceId)
    {
        var started = Stopwatch.GetTimestamp();
        var status = await LoginAsync(http, username, "not-the-password", deviceId);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (status != HttpStatusCode.Unauthorized)
        {
            throw new InvalidOperationException($"A failed login answered {(int)status}; the comparison would be meaningless.");
        }
        return elapsed;
    }

    private static async Task<HttpStatusCode> LoginAsync(HttpClient http, string username, string password, string deviceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { username, password }) };
        request.Headers.Add("Cookie", $"ap_device={deviceId}");
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
