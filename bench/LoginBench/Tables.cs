/// <summary>The bench's output: markdown tables, the form bench/README.md keeps them in.</summary>
internal static class Tables
{
    private const string Driver = "driver (LoginBench, with the AppHost in it)";

    /// <summary>Processes that serve a login in a deployment: all measured ones but the driver and DCP (dev only).</summary>
    private static double ServerCpu(PhaseResult phase) =>
        phase.ProcessCpuMsPerLogin.Where(p => p.Key != Driver && !p.Key.StartsWith("DCP", StringComparison.Ordinal)).Sum(p => p.Value);

    public static void Systems(List<(string System, string Hash, double HashMs, List<PhaseResult> Phases)> systems, int[] levels, int seconds)
    {
        Console.WriteLine();
        Console.WriteLine($"Logins, {seconds} s per level; CPU per login at {levels.Max()} clients (saturation). \"Server CPU\" sums the processes that serve a login " +
                          "(not the driver, not DCP); \"hash CPU per login\" is the hash's own thread CPU time as the server measures it around each hash during the phase " +
                          "(Login.Api: login.password_hash.cpu_time; the peer: a measuring wrapper around its IPasswordHasher); \"hash alone\" is the bench's own hashes, one per core at once; " +
                          "\"hash share\" = that ÷ server CPU; the machine column counts every process on the machine.");
        Console.WriteLine();
        Console.WriteLine($"| system | hash | hash alone (CPU ms) | logins/s at {string.Join(" / ", levels)} clients | p50 / p99 ms at 8 | errors | " +
                          "machine CPU ms per login | server CPU ms per login | hash CPU per login (ms) | hash share of server CPU | server CPU beyond the hash (ms) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (system, hash, hashMs, phases) in systems)
        {
            var at8 = phases.Single(p => p.Concurrency == 8);
            var top = phases.Single(p => p.Concurrency == levels.Max());
            var server = ServerCpu(top);
            var hashCpu = top.HashCpuMsPerLogin ?? hashMs;
            Console.WriteLine($"| {system} | {hash} | {hashMs:F1} | {string.Join(" / ", phases.Select(p => p.PerSecond.ToString("F1")))} | " +
                              $"{at8.P50:F0} / {at8.P99:F0} | {phases.Sum(p => p.Errors)} | {top.MachineCpuMsPerLogin:F1} | {server:F1} | " +
                              $"{hashCpu:F1}{(top.HashCpuMsPerLogin is null ? " (alone)" : "")} | {hashCpu / server:P0} | {server - hashCpu:F1} |");
        }
    }

    public static void ProcessCpu(List<(string System, string Hash, double HashMs, List<PhaseResult> Phases)> systems)
    {
        var names = systems.SelectMany(s => s.Phases).SelectMany(p => p.ProcessCpuMsPerLogin.Keys).Distinct().OrderBy(n => n == Driver).ToList();
        Console.WriteLine();
        Console.WriteLine("CPU ms per login of each process (from /proc/<pid>/stat, 10 ms ticks summed over the phase)");
        Console.WriteLine();
        Console.WriteLine($"| system | hash | clients | {string.Join(" | ", names)} | machine |");
        Console.WriteLine($"|---|---|---:|{string.Concat(names.Select(_ => "---:|"))}---:|");
        foreach (var (system, hash, _, phases) in systems)
        {
            foreach (var phase in phases)
            {
                var cells = names.Select(n => phase.ProcessCpuMsPerLogin.TryGetValue(n, out var ms) ? ms.ToString("F2") : "–");
                Console.WriteLine($"| {system.Split(" (")[0]} | {hash.Split(" (")[0]} | {phase.Concurrency} | {string.Join(" | ", cells)} | {phase.MachineCpuMsPerLogin:F2} |");
            }
        }
    }

    public static void Footprint(IReadOnlyList<MeasuredProcess> processes, Dictionary<string, long> idle, Dictionary<string, long> saturated)
    {
        Console.WriteLine();
        Console.WriteLine("Memory of the production set (Release builds, no dashboard): proportional set size from /proc/<pid>/smaps_rollup, " +
                          "idle after start-up and the peak while 32 clients log in");
        Console.WriteLine();
        Console.WriteLine("| process | PSS idle MiB | PSS at saturation MiB | goal |");
        Console.WriteLine("|---|---:|---:|---|");
        foreach (var p in processes)
        {
            var dotnet = !p.Name.Contains("Postgres", StringComparison.Ordinal) && !p.Name.Contains("Redis", StringComparison.Ordinal) && !p.Name.Contains("RabbitMQ", StringComparison.Ordinal);
            Console.WriteLine($"| {p.Name} | {idle[p.Name] / 1024.0:F0} | {saturated.GetValueOrDefault(p.Name) / 1024.0:F0} | {(dotnet ? "≤ 100 idle, ≤ 150 under load" : "")} |");
        }
        Console.WriteLine($"| **production set** | **{idle.Values.Sum() / 1024.0:F0}** | **{saturated.Values.Sum() / 1024.0:F0}** | ≤ 700 |");
    }

    public static void Delivery(List<CodeDelivery.Result> results, int rate)
    {
        Console.WriteLine();
        Console.WriteLine($"| code delivery at {rate} logins/s | codes | refused (request status) | handed to provider | p50 ms | p99 ms | goal |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---|");
        foreach (var r in results)
        {
            var path = r.Channel == "sms" ? "SMS via RabbitMQ + worker + Twilio SDK" : "email via RabbitMQ + worker + MailKit SMTP";
            Console.WriteLine($"| {path} | {r.Codes} | {r.Refused} | {r.Delivered} | {r.P50:F1} | {r.P99:F1} | p99 < 500 |");
        }
    }
}
