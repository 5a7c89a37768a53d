using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Drops every span started while a health or liveness probe is answered: the probe's own request is filtered by the
/// ASP.NET Core instrumentation, but the Redis, Postgres and bus calls of its checks would otherwise still be recorded
/// (under the caller's sampled parent, or as traces of their own). Probes come every few seconds from every
/// orchestrator; ops want to see logins.
/// </summary>
public sealed class HealthProbeSampler(Sampler inner) : Sampler
{
    private static readonly AsyncLocal<bool> InProbe = new();

    /// <summary>Marks the rest of the current request (and everything it starts) as part of a probe.</summary>
    public static void EnterProbe() => InProbe.Value = true;

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        InProbe.Value ? new SamplingResult(SamplingDecision.Drop) : inner.ShouldSample(samplingParameters);
}
