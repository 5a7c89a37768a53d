/// <summary>The largest PSS of each process while a phase runs, sampled every second.</summary>
internal sealed class PssSampler : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    private PssSampler(IReadOnlyList<MeasuredProcess> processes, Dictionary<string, long> peak)
    {
        loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var p in processes)
                {
                    var pss = p.PssKiB();
                    lock (peak)
                    {
                        peak[p.Name] = Math.Max(peak.GetValueOrDefault(p.Name), pss);
                    }
                }
                try
                {
                    await Task.Delay(1000, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public static PssSampler Start(IReadOnlyList<MeasuredProcess> processes, Dictionary<string, long> peak) => new(processes, peak);

    public void Dispose()
    {
        stop.Cancel();
        loop.Wait();
        stop.Dispose();
    }
}
