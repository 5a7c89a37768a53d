using System.Diagnostics;
using System.Net;

/// <summary>What a phase cost: throughput, latency, and CPU per login of the machine and of each measured process.</summary>
internal sealed record PhaseResult(
    int Concurrency, double PerSecond, double P50, double P99, int Errors, int Logins, double MachineCpuMsPerLogin,
    IReadOnlyDictionary<string, double> ProcessCpuMsPerLogin, double? HashCpuMsPerLogin);

/// <summary>
/// The closed-loop driver for both systems: each of N clients posts its own login as soon as the previous one answered,
/// for a fixed time. CPU is sampled around the phase: machine-wide from /proc/stat, and per process.
/// </summary>
internal static class LoadDriver
{
    public static async Task<PhaseResult> RunAsync(
        HttpClient http, Func<int, HttpRequestMessage> login, int concurrency, TimeSpan duration, IReadOnlyList<MeasuredProcess> processes,
        Func<Task<(long Hashes, double CpuMs)>>? hashProbe = null)
    {
        var hashBefore = hashProbe is null ? default : await hashProbe();
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var machineBefore = ProcStat.MachineBusyMs();
        var before = processes.ToDictionary(p => p.Name, p => p.CpuMs());
        var driverBefore = ProcStat.ProcessMs(Environment.ProcessId);
        var stop = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async client =>
        {
            latencies[client] = [];
            await Task.Yield();
            while (stop.Elapsed < duration)
            {
                using var request = login(client);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    latencies[client].Add(elapsed);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var wall = stop.Elapsed.TotalSeconds;
        var machine = ProcStat.MachineBusyMs() - machineBefore;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var logins = Math.Max(all.Length, 1);
        var perProcess = processes.ToDictionary(p => p.Name, p => (p.CpuMs() - before[p.Name]) / logins);
        perProcess["driver (LoginBench, with the AppHost in it)"] = (ProcStat.ProcessMs(Environment.ProcessId) - driverBefore) / logins;
        double? hashPerLogin = null;
        if (hashProbe is not null)
        {
            // The service's own account of its hashes' thread CPU time over the phase, per login answered.
            var hashAfter = await hashProbe();
            hashPerLogin = (hashAfter.CpuMs - hashBefore.CpuMs) / logins;
        }
        return new PhaseResult(concurrency, all.Length / wall, Percentile(all, 0.50), Percentile(all, 0.99), errors, all.Length, machine / logins, perProcess, hashPerLogin);
    }

    public static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];
}
