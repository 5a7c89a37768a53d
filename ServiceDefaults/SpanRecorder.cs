using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>A finished span as the tests see it.</summary>
public sealed record SpanRecord(string TraceId, string SpanId, string? ParentSpanId, string Name, string Source, string Kind,
    Dictionary<string, string?> Tags);

/// <summary>
/// Test-only (<c>Testing:Enabled</c>): keeps the last finished spans in memory so integration tests can assert that
/// one login reads as one trace across services, and that no span attribute carries a secret.
/// </summary>
public sealed class SpanRecorder : BaseProcessor<Activity>
{
    private const int Capacity = 20_000;
    private readonly ConcurrentQueue<SpanRecord> spans = new();

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue("Testing:Enabled", false);

    public IReadOnlyList<SpanRecord> Spans => [.. spans];

    public override void OnEnd(Activity activity)
    {
        spans.Enqueue(new SpanRecord(activity.TraceId.ToString(), activity.SpanId.ToString(),
            activity.ParentSpanId == default ? null : activity.ParentSpanId.ToString(), activity.DisplayName, activity.Source.Name,
            activity.Kind.ToString(), activity.TagObjects.ToDictionary(t => t.Key, t => t.Value?.ToString())));
        while (spans.Count > Capacity && spans.TryDequeue(out _))
        {
        }
    }

    /// <summary><c>GET /testing/spans?traceId=</c>, mapped only when testing is enabled.</summary>
    public static void MapEndpoint(WebApplication app)
    {
        if (app.Services.GetService(typeof(SpanRecorder)) is SpanRecorder recorder)
        {
            app.MapGet("/testing/spans", (string? traceId) =>
                Results.Ok(traceId is null ? recorder.Spans : recorder.Spans.Where(s => s.TraceId == traceId).ToList()));
        }
    }
}
