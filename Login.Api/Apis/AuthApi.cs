using System.Globalization;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

public sealed record LoginRequest(string? Username, string? Password);

/// <param name="RecentlyAuthenticated">The session proved the user within the re-authentication window (<see cref="Sessions.RecentAuthentication"/>); Sso.Api's settings need it.</param>
public sealed record SessionView(Guid UserId, string Username, string Account, string[] Roles, string Language,
    DateTime CreatedAt, DateTime LastSeenAt, DateTime AbsoluteExpiresAt, bool? RecentlyAuthenticated = null);

/// <summary>
/// A login's progress: <c>signed-in</c>, <c>second-factor-required</c>, <c>code-sent</c>, <c>second-factor-pending</c> or
/// <c>passkey-requested</c> (<see cref="PasskeyOptions"/> for <c>navigator.credentials.get</c>). <see cref="PasskeyRequired"/>:
/// signed in, and the account's policy asks the user to add a passkey now.
/// </summary>
public sealed record LoginResponse(string Status, SessionView? Session = null, string? FlowId = null,
    IReadOnlyList<ChannelOption>? Channels = null, string? PreferredChannel = null, string? Channel = null, string? Destination = null,
    string? Delivery = null, System.Text.Json.JsonElement? PasskeyOptions = null, bool? PasskeyRequired = null);

/// <summary>What every login endpoint needs (eShop's <c>CatalogServices</c> shape).</summary>
public sealed record LoginEndpointServices(LoginFlow Flow, SessionCookie Cookie, HttpContext Http, IStringLocalizer<SharedResource> Text);

public sealed record SendCodeRequest(string? FlowId, string? Channel);

public sealed record VerifyCodeRequest(string? FlowId, string? Code);

public sealed record ChallengeStatusRequest(string? FlowId);

/// <summary>The JSON login API for clients: the same flow as the login page.</summary>
public static class AuthApi
{
    public const int MaxUsernameLength = 256;

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Authentication");
        auth.MapPost("/login", Login).WithName("Login").ProducesProblemTypes(401, "invalid-credentials").ProducesProblemTypes(403, "sso-required", "no-web-access").ProducesProblemTypes(429, "too-many-failures", "too-many-challenges").WithSummary("Password login; answers with the session or the next step.");
        auth.MapPost("/second-factor/send", SendCode).WithName("SendSecondFactorCode").ProducesProblemTypes(410, "challenge-gone").ProducesProblemTypes(429, "code-cooldown", "too-many-codes", "too-many-challenges").ProducesProblemTypes(503, "code-not-sent")
            .WithSummary("Sends the one-time code of a pending login by the chosen channel (or switches to the authenticator app).");
        auth.MapPost("/second-factor/verify", VerifyCode).WithName("VerifySecondFactorCode").ProducesProblemTypes(401, "wrong-code").ProducesProblemTypes(409, "code-not-requested").ProducesProblemTypes(410, "challenge-gone").ProducesProblemTypes(429, "too-many-failures")
            .WithSummary("Completes a pending login with its one-time code.");
        auth.MapPost("/second-factor/status", GetChallengeStatus).WithName("GetSecondFactorStatus").ProducesProblemTypes(410, "challenge-gone")
            .WithSummary("The channels a pending login offers, the chosen one, and whether its code was delivered.");
        return app;
    }

    public static async Task<Results<Ok<LoginResponse>, Accepted<LoginResponse>, ProblemHttpResult, ValidationProblem>> Login(
        LoginRequest request, [AsParameters] LoginEndpointServices services)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }
        LoginOutcome outcome;
        try
        {
            outcome = await services.Flow.StartAsync(request.Username!, request.Password!, services.Http);
        }
        catch (HashingCapacityExceededException)
        {
            services.Http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(title: services.Text["Login_Busy"], statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return ToResult(outcome, services);
    }

    public static async Task<Results<Ok<LoginResponse>, Accepted<LoginResponse>, ProblemHttpResult, ValidationProblem>> SendCode(
        SendCodeRequest request, [AsParameters] LoginEndpointServices services)
    {
        if (string.IsNullOrEmpty(request.FlowId) || string.IsNullOrEmpty(request.Channel) || request.Channel.Length > 16)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["flowId"] = ["Required."], ["channel"] = ["Required."] });
        }
        return ToResult(await services.Flow.ContinueAsync(request.FlowId, new StepInput.ChooseChannel(request.Channel), services.Http), services);
    }

    public static async Task<Results<Ok<LoginResponse>, Accepted<LoginResponse>, ProblemHttpResult, ValidationProblem>> VerifyCode(
        VerifyCodeRequest request, [AsParameters] LoginEndpointServices services)
    {
        if (string.IsNullOrEmpty(request.FlowId) || string.IsNullOrEmpty(request.Code) || request.Code.Length > 16)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["flowId"] = ["Required."], ["code"] = ["Required, 6 digits."] });
        }
        return ToResult(await services.Flow.ContinueAsync(request.FlowId, new StepInput.SubmitCode(request.Code), services.Http), services);
    }

    public static async Task<Results<Ok<LoginResponse>, Accepted<LoginResponse>, ProblemHttpResult, ValidationProblem>> GetChallengeStatus(
        ChallengeStatusRequest request, [AsParameters] LoginEndpointServices services) =>
        ToResult(await services.Flow.DescribeAsync(request.FlowId, services.Http), services);

    /// <summary>Every outcome of the flow as the API answers it: 200 for progress, problem+json for the rest.</summary>
    internal static Results<Ok<LoginResponse>, Accepted<LoginResponse>, ProblemHttpResult, ValidationProblem> ToResult(LoginOutcome outcome, LoginEndpointServices services)
    {
        var (http, text) = (services.Http, services.Text);
        switch (outcome)
        {
            case LoginOutcome.SignedIn signedIn:
                http.Response.Cookies.Append(services.Cookie.Name, signedIn.SecretId, services.Cookie.Options);
                return TypedResults.Ok(new LoginResponse("signed-in", View(signedIn.Session), PasskeyRequired: signedIn.PasskeyRequired ? true : null));
            case LoginOutcome.PasskeyRequested requested:
                return TypedResults.Ok(new LoginResponse("passkey-requested", PasskeyOptions: PasskeysApi.Json(requested.OptionsJson)));
            case LoginOutcome.PasskeyRefused:
                return Problem(StatusCodes.Status401Unauthorized, text["Login_InvalidCredentials"], "passkey-refused");
            case LoginOutcome.SecondFactorRequired challenge:
                return TypedResults.Ok(new LoginResponse("second-factor-required", FlowId: challenge.FlowId, Channels: challenge.Channels,
                    PreferredChannel: challenge.PreferredChannel));
            case LoginOutcome.CodeSent sent:
                return TypedResults.Accepted((string?)null, new LoginResponse("code-sent", Channel: sent.Channel, Destination: sent.Destination));
            case LoginOutcome.SecondFactorPending pending:
                return TypedResults.Ok(new LoginResponse("second-factor-pending", Channels: pending.Channels, PreferredChannel: pending.PreferredChannel, Channel: pending.Channel,
                    Destination: pending.Destination, Delivery: pending.Delivery.ToString().ToLowerInvariant()));
            case LoginOutcome.SsoRequired:
                return Problem(StatusCodes.Status403Forbidden, text["Login_UseSso"], "sso-required");
            case LoginOutcome.NoWebAccess:
                return Problem(StatusCodes.Status403Forbidden, text["Login_NoWebAccess"], "no-web-access");
            case LoginOutcome.WrongCode:
                return Problem(StatusCodes.Status401Unauthorized, text["Otp_Invalid"], "wrong-code");
            case LoginOutcome.ChallengeGone:
                return Problem(StatusCodes.Status410Gone, text["Otp_Expired"], "challenge-gone");
            case LoginOutcome.CodeNotRequested:
                return Problem(StatusCodes.Status409Conflict, text["Otp_RequestFirst"], "code-not-requested");
            case LoginOutcome.UnknownChannel:
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["channel"] = ["Not a channel offered to this user."] });
            case LoginOutcome.CodeCooldown cooldown:
                return TooMany(http, TimeSpan.FromSeconds(cooldown.Seconds), text["Otp_ResendWait", cooldown.Seconds], "code-cooldown");
            case LoginOutcome.TooManyCodes:
                return TooMany(http, ChallengeLimiter.Window, text["Otp_TooMany"], "too-many-codes");
            case LoginOutcome.TooManyChallenges tooMany:
                return TooMany(http, tooMany.RetryAfter, text["Otp_TooManyChallenges"], "too-many-challenges");
            case LoginOutcome.TooManyFailures tooMany:
                return TooMany(http, tooMany.RetryAfter, text["Login_TooManyAttempts"], "too-many-failures");
            case LoginOutcome.CodeUndeliverable undeliverable:
                http.Response.Headers.RetryAfter = "10";
                return Problem(StatusCodes.Status503ServiceUnavailable, text["Otp_DeliveryFailed", undeliverable.Destination], "code-not-sent");
            default:
                return Problem(StatusCodes.Status401Unauthorized, text["Login_InvalidCredentials"], "invalid-credentials");
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string type) =>
        TypedResults.Problem(title: title, statusCode: status, type: $"https://access-platform/problems/{type}");

    private static ProblemHttpResult TooMany(HttpContext http, TimeSpan retryAfter, string title, string type)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status429TooManyRequests, title, type);
    }

    private static ValidationProblem? Validate(LoginRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Username))
        {
            errors["username"] = ["Required."];
        }
        else if (request.Username.Length > MaxUsernameLength)
        {
            errors["username"] = [$"At most {MaxUsernameLength} characters."];
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["Required."];
        }
        else if (request.Password.Length > 4 * 128)
        {
            // Far beyond any accepted password: refused before it costs a hash.
            errors["password"] = ["Too long."];
        }
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }

    internal static SessionView View(Session s) =>
        new(s.UserId, s.Username, s.AccountKey, s.Roles, s.Language, s.CreatedAt, s.LastSeenAt, s.AbsoluteExpiresAt);
}
