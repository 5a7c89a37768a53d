using System.Globalization;

/// <summary>
/// CPU time from Linux's /proc, in milliseconds: the whole machine (/proc/stat, every process), one process
/// (/proc/&lt;pid&gt;/stat), and the calling thread (clock_gettime(CLOCK_THREAD_CPUTIME_ID), for the hash alone).
/// </summary>
internal static partial class ProcStat
{
    // USER_HZ: /proc counts in ticks of 10 ms on every Linux the project runs on.
    private const double MsPerTick = 10;

    /// <summary>Busy CPU time of all cores since boot: everything but idle and iowait.</summary>
    public static double MachineBusyMs()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal
        long busy = 0;
        for (var i = 1; i <= 8; i++)
        {
            if (i is not (4 or 5))
            {
                busy += long.Parse(fields[i], CultureInfo.InvariantCulture);
            }
        }
        return busy * MsPerTick;
    }

    /// <summary>User + system time of a process; with <paramref name="reapedChildren"/>, also that of its children that ended.</summary>
    public static double ProcessMs(int pid, bool reapedChildren = false)
    {
        if (Fields(pid) is not { } f)
        {
            return 0;
        }
        var ticks = f[11] + f[12] + (reapedChildren ? f[13] + f[14] : 0);
        return ticks * MsPerTick;
    }

    public static int? ParentOf(int pid) => Fields(pid) is { } f ? (int)f[1] : null;

    public static IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture));

    public static IEnumerable<int> ChildrenOf(int pid) => AllPids().Where(p => ParentOf(p) == pid);

    /// <summary>Proportional set size in KiB: shared pages divided among the processes that map them.</summary>
    public static long PssKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The calling thread's CPU time (the same clock Login.Api reads around each hash).</summary>
    public static double ThreadMs() => AccessPlatform.Login.Telemetry.ThreadCpuTime.NowMs()
        ?? throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");

    // Fields after the command name, numbered from "state" = 0: ppid 1, utime 11, stime 12, cutime 13, cstime 14.
    private static long[]? Fields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return [.. rest.Take(15).Select((v, i) => i == 0 ? 0 : long.Parse(v, CultureInfo.InvariantCulture))];
    }
}
