using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Signup;

/// <summary>With <c>Signup:Enabled</c> off, the sign-up API answers as if it did not exist.</summary>
public sealed class SignupEnabledFilter(IOptions<SignupOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        options.Value.Enabled
            ? await next(context)
            : TypedResults.Problem(title: "Not Found", statusCode: StatusCodes.Status404NotFound);
}
