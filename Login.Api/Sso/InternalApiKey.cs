using System.Security.Cryptography;
using System.Text;

namespace AccessPlatform.Login.Sso;

/// <summary>The shared secret other services present on <c>/internal/sso</c> (an Aspire parameter, generated per run).</summary>
public sealed class InternalApiOptions
{
    public const string Section = "InternalApi";
    public const string Header = "X-Internal-Api-Key";

    public string? Key { get; set; }
}

/// <summary>
/// Refuses any call without the shared secret. The gateway never routes <c>/internal</c>; this is the second wall,
/// for whatever else can reach the service's port.
/// </summary>
public sealed class InternalApiKeyFilter(Microsoft.Extensions.Options.IOptions<InternalApiOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = options.Value.Key;
        var presented = context.HttpContext.Request.Headers[InternalApiOptions.Header].ToString();
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
