using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

/// <summary>One measured process group: its root process, and whether the CPU of its children counts too (Postgres' backends).</summary>
internal sealed record MeasuredProcess(string Name, int Pid, bool WithChildren)
{
    /// <summary>CPU so far: the root's own and its ended children's, plus the live children's.</summary>
    public double CpuMs() => WithChildren
        ? ProcStat.ProcessMs(Pid, reapedChildren: true) + ProcStat.ChildrenOf(Pid).Sum(c => ProcStat.ProcessMs(c, reapedChildren: true))
        : ProcStat.ProcessMs(Pid);

    public long PssKiB() => WithChildren ? ProcStat.PssKiB(Pid) + ProcStat.ChildrenOf(Pid).Sum(ProcStat.PssKiB) : ProcStat.PssKiB(Pid);
}

/// <summary>
/// The stack's processes. The gateway by the port it listens on (it is not behind DCP's proxy); the other services by
/// the environment DCP gave them (their resource name and this run's generated internal key, which no other stack on
/// the machine shares); Postgres, Redis and RabbitMQ by this run's data folder on their command line or environment.
/// Listening sockets come from /proc/net/tcp{,6}, their owners from /proc/&lt;pid&gt;/fd.
/// </summary>
internal static class StackProcesses
{
    public static MeasuredProcess Gateway(DistributedApplication app) =>
        new("gateway", ListenerOf(app.GetEndpoint("gateway", "http").Port) ?? throw new InvalidOperationException("No process listens on the gateway's port."), false);

    public static async Task<MeasuredProcess> ServiceAsync(DistributedApplication app, string label, string resource)
    {
        var key = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(r => r.Name == "internal-api-key").GetValueAsync(CancellationToken.None);
        var matches = ProcStat.AllPids().Where(p => Read($"/proc/{p}/environ") is { } env
            && env.Contains($"\0OTEL_SERVICE_NAME={resource}\0", StringComparison.Ordinal) && env.Contains(key!, StringComparison.Ordinal)).ToList();
        // DCP may start a project through a launcher (dotnet run / dotnet exec) that passes its environment on: the
        // service is the match none of whose children match too.
        var pid = matches.FirstOrDefault(p => !matches.Any(c => ProcStat.ParentOf(c) == p));
        return pid > 0 ? new MeasuredProcess(label, pid, false) : throw new InvalidOperationException($"No process of {resource} found.");
    }

    /// <summary>The root process of a server (its parent is not the same program) started for this run's data folder.</summary>
    public static MeasuredProcess Server(string label, string command, string dataDirectory)
    {
        var pid = ProcStat.AllPids().FirstOrDefault(p => Comm(p) == command
            && (Read($"/proc/{p}/cmdline")?.Contains(dataDirectory, StringComparison.Ordinal) == true || Read($"/proc/{p}/environ")?.Contains(dataDirectory, StringComparison.Ordinal) == true
                // Redis rewrites its command line to "redis-server host:port"; it runs in its --dir, the data folder.
                || Cwd(p)?.StartsWith(dataDirectory, StringComparison.Ordinal) == true)
            && Comm(ProcStat.ParentOf(p) ?? 1) != command);
        return pid > 0 ? new MeasuredProcess(label, pid, true) : throw new InvalidOperationException($"No {command} of this run found.");
    }

    /// <summary>DCP: the dev-only orchestrator and proxy between the services (a deployment has neither).</summary>
    public static MeasuredProcess? Dcp() =>
        ProcStat.AllPids().Where(p => Comm(p) == "dcp" && ProcStat.ParentOf(p) is { } parent && DescendsFrom(parent, Environment.ProcessId))
            .Select(p => new MeasuredProcess("DCP (dev proxy, not deployed)", p, WithChildren: true)).FirstOrDefault();

    public static int? ListenerOf(int port)
    {
        var inodes = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is the tenth column.
                if (f[3] == "0A" && int.Parse(f[1][(f[1].IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    inodes.Add($"socket:[{f[9]}]");
                }
            }
        }
        foreach (var pid in ProcStat.AllPids())
        {
            try
            {
                if (Directory.EnumerateFiles($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget is { } link && inodes.Contains(link)))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Ended meanwhile, or not ours to read.
            }
        }
        return null;
    }

    private static string? Cwd(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Comm(int pid) => Read($"/proc/{pid}/comm")?.Trim('\0', '\n');

    private static string? Read(string path)
    {
        try
        {
            // A leading NUL lets a match on "\0NAME=value\0" find the first variable of an environ file too.
            return "\0" + File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool DescendsFrom(int pid, int ancestor)
    {
        for (var p = (int?)pid; p is > 1; p = ProcStat.ParentOf(p.Value))
        {
            if (p == ancestor)
            {
                return true;
            }
        }
        return false;
    }
}
