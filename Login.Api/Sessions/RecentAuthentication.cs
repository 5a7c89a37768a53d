using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Sessions;

public sealed class ReauthenticationOptions
{
    public const string Section = "Login:Reauthentication";

    /// <summary>How long a login or a re-authentication lets the user change their sign-in methods (ASVS 7.5.1).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 60)]
    public int WindowMinutes { get; set; } = 5;

    public TimeSpan Window => TimeSpan.FromMinutes(WindowMinutes);
}

/// <summary>
/// The one check for "has this session proved the user recently?" (ASVS 7.5.1): the session's own login or the last
/// re-authentication, whichever is newer, within <see cref="ReauthenticationOptions.Window"/>. APIs use the endpoint
/// filter <see cref="RecentAuthenticationEndpoints.RequireRecentAuthentication{TBuilder}"/>; pages call
/// <see cref="IsRecentAsync"/> and send the browser to <see cref="PagePath"/>.
/// </summary>
public sealed class RecentAuthentication(ReauthenticationStore store, TimeProvider clock, IOptions<ReauthenticationOptions> options)
{
    public const string ProblemType = "https://access-platform/problems/reauthentication-required";
    public const string PagePath = "/account/reauthenticate";
    public const string ApiPath = "/api/auth/reauthenticate";

    public async Task<bool> IsRecentAsync(HttpContext http)
    {
        if (http.Items[typeof(Session)] is not Session session)
        {
            return false;
        }
        var last = await store.LastAsync(session.Handle) is { } reauthenticated && reauthenticated > session.CreatedAt
            ? reauthenticated
            : session.CreatedAt;
        return clock.GetUtcNow().UtcDateTime - last <= options.Value.Window;
    }

    public async Task RecordAsync(HttpContext http)
    {
        if (http.Items[typeof(Session)] is Session session)
        {
            await store.RecordAsync(session.Handle);
        }
    }

    /// <summary>Where a page sends the browser to confirm the password, and back to <paramref name="returnUrl"/>.</summary>
    public static string PageFor(string returnUrl) => $"{PagePath}?returnUrl={Uri.EscapeDataString(returnUrl)}";
}

public static class RecentAuthenticationEndpoints
{
    /// <summary>403 problem+json of type <see cref="RecentAuthentication.ProblemType"/> unless the session proved the user recently.</summary>
    public static TBuilder RequireRecentAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (await http.RequestServices.GetRequiredService<RecentAuthentication>().IsRecentAsync(http))
            {
                return await next(context);
            }
            return Problem(http);
        }).ProducesProblemTypes(StatusCodes.Status403Forbidden, "reauthentication-required");

    /// <summary>The 403 problem+json that tells a client to call <see cref="RecentAuthentication.ApiPath"/> first.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Problem(HttpContext http)
    {
        var text = http.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        return TypedResults.Problem(title: text["Reauth_Required"], statusCode: StatusCodes.Status403Forbidden,
            type: RecentAuthentication.ProblemType,
            extensions: new Dictionary<string, object?> { ["reauthenticate"] = RecentAuthentication.ApiPath });
    }
}
