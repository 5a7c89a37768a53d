using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Gateway;

public static class GatewayExtensions
{
    public const string AuthPolicy = "auth";
    public const string GeneralPolicy = "general";
    public const string SignupPolicy = "signup";

    public static void AddGateway(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section);
        builder.Services.AddProblemDetails();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = RejectAsync;
            limiter.AddPolicy(AuthPolicy, http =>
                // Page views are not guesses; only submissions spend the budget.
                HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
                    ? RateLimitPartition.GetNoLimiter("reads")
                    : PerClient(http, "auth", http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.Auth));
            limiter.AddPolicy(SignupPolicy, http =>
                HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
                    ? RateLimitPartition.GetNoLimiter("reads")
                    : PerClient(http, "signup", http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.Signup));
            limiter.AddPolicy(GeneralPolicy, http =>
                PerClient(http, "general", http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.General));
        });
    }

    public static void UseGateway(this WebApplication app)
    {
        app.UseMiddleware<EdgeMiddleware>();
        app.UseRateLimiter();
    }

    private static RateLimitPartition<string> PerClient(HttpContext http, string policy, GatewayOptions.RateLimit limit) =>
        RateLimitPartition.GetFixedWindowLimiter($"{policy}:{http.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = TimeSpan.FromSeconds(limit.WindowSeconds),
            QueueLimit = 0,
        });

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            title: "Too many requests",
            detail: "Too many attempts from your network. Please wait and try again.",
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
    }
}
