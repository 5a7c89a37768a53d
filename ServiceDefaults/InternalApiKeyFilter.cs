using System.Security.Cryptography;
using System.Text;
using AccessPlatform.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>The shared secret services present on each other's <c>/internal</c> routes.</summary>
public sealed class InternalApiOptions
{
    public string? Key { get; set; }
}

/// <summary>
/// Refuses any call without the shared secret with 401. The gateway never routes <c>/internal</c>; this is the
/// second wall, for whatever else reaches a service's port. Put on every <c>/internal</c> group through
/// <see cref="InternalApiEndpoints.MapInternalGroup"/>.
/// </summary>
public sealed class InternalApiKeyFilter(IOptions<InternalApiOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = options.Value.Key;
        var presented = context.HttpContext.Request.Headers[InternalApi.KeyHeader].ToString();
        // Without a configured key nothing gets in: a missing setting must not open the door.
        if (string.IsNullOrEmpty(expected) || presented.Length == 0
            || !CryptographicOperations.FixedTimeEquals(Hash(presented), Hash(expected)))
        {
            return TypedResults.Problem(title: "Unauthorized", statusCode: StatusCodes.Status401Unauthorized);
        }
        return await next(context);
    }

    // Hashing first makes the comparison constant-time in the length too.
    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}

public static class InternalApiEndpoints
{
    /// <summary>A group under <c>/internal</c> that only callers with the internal key reach.</summary>
    public static RouteGroupBuilder MapInternalGroup(this IEndpointRouteBuilder app, string path)
    {
        if (!path.StartsWith(InternalApi.PathPrefix + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Internal groups live under {InternalApi.PathPrefix}/.", nameof(path));
        }
        return app.MapGroup(path).AddEndpointFilter<InternalApiKeyFilter>();
    }
}
