using System.Globalization;
using Aspire.Hosting;
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
/// The stack's processes, found by the port each resource's process listens on (DCP knows it as the endpoint's target
/// port; behind DCP's proxy the allocated port is the proxy's). Listening sockets come from /proc/net/tcp{,6}, their
/// owners from /proc/&lt;pid&gt;/fd.
/// </summary>
internal static class StackProcesses
{
    public static async Task<List<MeasuredProcess>> FindAsync(DistributedApplication app, params (string Label, string Resource, string Endpoint, bool WithChildren)[] wanted)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var found = new List<MeasuredProcess>();
        foreach (var (label, resource, endpoint, withChildren) in wanted)
        {
            var target = model.Resources.OfType<IResourceWithEndpoints>().Single(r => r.Name == resource).GetEndpoint(endpoint);
            var port = int.Parse((await target.Property(EndpointProperty.TargetPort).GetValueAsync())!, CultureInfo.InvariantCulture);
            found.Add(new MeasuredProcess(label, ListenerOf(port) ?? throw new InvalidOperationException($"No process listens on {resource}'s port {port}."), withChildren));
        }
        return found;
    }

    /// <summary>DCP: the dev-only orchestrator and proxy between the services (a deployment has neither).</summary>
    public static MeasuredProcess? Dcp() =>
        ProcStat.AllPids().Where(p => CommandLine(p) is { } c && c.Contains("/dcp ", StringComparison.Ordinal) && c.Contains(" start-apiserver", StringComparison.Ordinal)
                                      && ProcStat.ParentOf(p) is { } parent && DescendsFrom(parent, Environment.ProcessId))
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

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
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
