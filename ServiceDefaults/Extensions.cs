using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Endpoint metadata: the server span is named "METHOD /concrete/path" (identifiers redacted by
/// <see cref="Extensions.RedactPath"/>) instead of by the route template. The gateway's proxy routes carry it.
/// </summary>
public sealed class SpanNamedByPath;

/// <summary>Telemetry, health, service discovery and resilience shared by every service.</summary>
public static class Extensions
{
    public const string LiveTag = "live";

    /// <summary>Checks that warn ahead of trouble: reported on <c>/health/warnings</c>, not part of readiness.</summary>
    public const string WarningTag = "warning";
    public const string ReadyTag = "ready";

    /// <summary>Readiness: every dependency answers (Kubernetes' readinessProbe, the AppHost's health check).</summary>
    public const string HealthPath = "/health";

    /// <summary>Liveness: the process answers (Kubernetes' livenessProbe and startupProbe).</summary>
    public const string AlivePath = "/alive";

    /// <summary>Sources every service traces: our own plus the libraries whose spans make one login one trace.</summary>
    public static readonly string[] TraceSources = ["AccessPlatform.*", "MassTransit", "Npgsql"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>The worker variant: telemetry and health without HTTP client resilience.</summary>
    public static TBuilder AddBasicServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddOptions<InternalApiOptions>().BindConfiguration(AccessPlatform.Contracts.InternalApi.Section);
        builder.Services.AddSingleton<InternalApiKeyFilter>();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("AccessPlatform.*", "MassTransit", "Npgsql"))
            .WithTracing(tracing => tracing
                .SetSampler(new HealthProbeSampler(new ParentBasedSampler(new AlwaysOnSampler())))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TraceSources)
                // Health probes would drown the logins in the dashboard. A filtered request's span is not recorded,
                // so the Redis and Postgres calls of its checks (children of it) are not either.
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = ctx => !IsHealthProbe(ctx.Request.Path);
                    // Query strings carry reset tokens and SSO codes: only their parameter names reach a span.
                    o.EnrichWithHttpRequest = (activity, request) =>
                    {
                        if (request.QueryString.HasValue)
                        {
                            activity.SetTag("url.query", RedactQuery(request.QueryString.Value));
                        }
                    };
                    // A proxy's route template ("/api/auth/{**rest}") says nothing: such endpoints are named by the path.
                    o.EnrichWithHttpResponse = (activity, response) =>
                    {
                        if (response.HttpContext.GetEndpoint()?.Metadata.GetMetadata<SpanNamedByPath>() is not null)
                        {
                            activity.DisplayName = $"{response.HttpContext.Request.Method} {RedactPath(response.HttpContext.Request.Path)}";
                        }
                    };
                })
                .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, request) =>
                {
                    if (request.RequestUri is { Query.Length: > 1 } uri)
                    {
                        activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Path) + RedactQuery(uri.Query));
                    }
                }));

        if (SpanRecorder.IsEnabled(builder.Configuration))
        {
            builder.Services.AddSingleton<SpanRecorder>();
            builder.Services.ConfigureOpenTelemetryTracerProvider((sp, tracing) => tracing.AddProcessor(sp.GetRequiredService<SpanRecorder>()));
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    public static bool IsHealthProbe(PathString path) => path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath);

    /// <summary>
    /// <c>/api/admin/users/3f2a…/unlock</c> becomes <c>/api/admin/users/{id}/unlock</c>: segments that look like
    /// identifiers or tokens (a GUID, a number, or a long run of letters and digits) are replaced.
    /// </summary>
    public static string RedactPath(PathString path) =>
        path.Value is not { Length: > 0 } value ? "/" :
        string.Join('/', value.Split('/').Select(segment => LooksLikeId(segment) ? "{id}" : segment));

    private static bool LooksLikeId(string segment) =>
        Guid.TryParse(segment, out _)
        || (segment.Length > 0 && segment.All(char.IsAsciiDigit))
        || (segment.Length >= 16 && segment.Any(char.IsAsciiDigit) && segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '%' or '.' or '~'));

    /// <summary><c>?token=abc&amp;x=1</c> becomes <c>?token=Redacted&amp;x=Redacted</c>.</summary>
    public static string RedactQuery(string? query) =>
        string.IsNullOrEmpty(query) ? "" :
        "?" + string.Join('&', query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2)[0] + "=Redacted"));

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health</c> is readiness (every dependency answers), <c>/alive</c> is liveness (the process answers).
    /// The gateway never routes them, so they stay internal.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Nothing a probe starts is traced (see HealthProbeSampler).
        // An async method: the mark flows into the request and ends with it.
        app.Use(async (context, next) =>
        {
            if (IsHealthProbe(context.Request.Path))
            {
                HealthProbeSampler.EnterProbe();
            }
            await next(context);
        });
        // Degraded (e.g. the message bus reconnecting) is not ready: only Healthy answers 200.
        app.MapHealthChecks(HealthPath, new HealthCheckOptions
        {
            Predicate = c => !c.Tags.Contains(WarningTag),
            // Which dependency is down, by name and status only (no exception text: it names hosts).
            ResponseWriter = WriteHealthAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(LiveTag) });
        // Early warnings (e.g. a certificate expiring in a few weeks) for monitoring: 503 when one fires, yet never
        // part of readiness, so a warning does not take a working service out of rotation.
        app.MapHealthChecks("/health/warnings", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(WarningTag),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        SpanRecorder.MapEndpoint(app);
        return app;
    }

    /// <summary><c>{"status":"Unhealthy","checks":{"redis":"Unhealthy","login-db":"Healthy",…}}</c></summary>
    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        }));
    }
}
