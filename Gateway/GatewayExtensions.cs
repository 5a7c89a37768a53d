using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace AccessPlatform.Gateway;

public static class GatewayExtensions
{
    public const string AuthPolicy = "auth";
    public const string GeneralPolicy = "general";
    public const string SignupPolicy = "signup";
    public const string SamlPolicy = "saml";

    public static void AddGateway(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section)
            .Validate(o => TrustedNetworks.TryParse(o.TrustedProxies, out _, out _),
                "Gateway:TrustedProxies holds an entry that is neither an IP address nor a CIDR network.")
            .Validate(o => o.Ipv6PartitionPrefix is >= 32 and <= 128, "Gateway:Ipv6PartitionPrefix must be between 32 and 128.")
            .Validate(o => new[] { o.Auth, o.General, o.Signup, o.SamlReads }.All(l => l.PermitLimit > 0 && l.WindowSeconds > 0),
                "Every Gateway rate limit needs a PermitLimit and a WindowSeconds above 0.")
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<GatewayOptions>>((o, gateway) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Walk back through every trusted hop (CDN, load balancer); the first untrusted address is the client.
            o.ForwardLimit = null;
            o.TrustOnly(TrustedNetworks.Parse(gateway.Value.TrustedProxies));
        });
        builder.Services.AddProblemDetails();
        // The rate limits' counters: one budget per client across every gateway instance (SharedRateLimiter).
        builder.AddPlatformRedisClient("redis");
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
                    : PerClient(http, "auth", Options(http), Options(http).Auth));
            limiter.AddPolicy(SignupPolicy, http =>
                HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
                    ? RateLimitPartition.GetNoLimiter("reads")
                    : PerClient(http, "signup", Options(http), Options(http).Signup));
            // SAML: reads (start, metadata) have a budget of their own; ACS posts share the auth budget.
            limiter.AddPolicy(SamlPolicy, http =>
                HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
                    ? PerClient(http, "saml-reads", Options(http), Options(http).SamlReads)
                    : PerClient(http, "auth", Options(http), Options(http).Auth));
            limiter.AddPolicy(GeneralPolicy, http => PerClient(http, "general", Options(http), Options(http).General));
        });
    }

    public static void UseGateway(this WebApplication app)
    {
        // First: the rate limits, the body limit and YARP's X-Forwarded-For to the services all use the client
        // address this leaves in Connection.RemoteIpAddress.
        app.UseForwardedHeaders();
        app.UseRouting();
        app.UseMiddleware<EdgeMiddleware>();
        app.UseRateLimiter();
    }

    /// <summary>A fixed window per client network (IPv6 by prefix), shared by every gateway instance through Redis.</summary>
    private static RateLimitPartition<string> PerClient(HttpContext http, string policy, GatewayOptions options, GatewayOptions.RateLimit limit)
    {
        var redis = http.RequestServices.GetRequiredService<IConnectionMultiplexer>();
        return RateLimitPartition.Get($"{policy}:{ClientPartition.Of(http.Connection.RemoteIpAddress, options.Ipv6PartitionPrefix)}", key =>
            new SharedRateLimiter(
                new RedisFixedWindowRateLimiter<string>($"gateway:{key}", new RedisFixedWindowRateLimiterOptions
                {
                    ConnectionMultiplexerFactory = () => redis,
                    PermitLimit = limit.PermitLimit,
                    Window = TimeSpan.FromSeconds(limit.WindowSeconds),
                }),
                new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit.PermitLimit,
                    Window = TimeSpan.FromSeconds(limit.WindowSeconds),
                    QueueLimit = 0,
                })));
    }

    private static GatewayOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value;

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
