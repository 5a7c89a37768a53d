using System.Runtime.InteropServices;

namespace AccessPlatform.Login.Telemetry;

/// <summary>
/// The calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), to tell what a hash itself costs apart from
/// the wall time it waited for a core. Null on other systems.
/// </summary>
public static class ThreadCpuTime
{
    private const int ClockThreadCpuTime = 3;

    public static double? NowMs() =>
        OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTime, out var ts) == 0 ? ts.Seconds * 1000.0 + ts.Nanoseconds / 1e6 : null;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clockId, out Timespec value);
}
