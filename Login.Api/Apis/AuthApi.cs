using System.Globalization;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

public sealed record LoginRequest(string? Username, string? Password);

public sealed record SessionView(Guid UserId, string Username, string Account, string[] Roles, string Language,
    DateTime CreatedAt, DateTime LastSeenAt, DateTime AbsoluteExpiresAt);

public sealed record LoginResponse(string Status, SessionView? Session = null, string? FlowId = null,
    IReadOnlyList<ChannelOption>? Channels = null, string? PreferredChannel = null);

public sealed record SendCodeRequest(string? FlowId, string? Channel);

public sealed record SendCodeResponse(string Channel, string Destination);

public sealed record VerifyCodeRequest(string? FlowId, string? Code);

public sealed record ChallengeStatusRequest(string? FlowId);

public sealed record ChallengeStatus(IReadOnlyList<ChannelOption> Channels, string? Channel, string Delivery);

/// <summary>The JSON login API for clients: the same flow as the login page.</summary>
public static class AuthApi
{
    public const int MaxUsernameLength = 256;

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Authentication");
        auth.MapPost("/login", Login).WithName("Login").WithSummary("Password login; answers with the session or the next step.");
        auth.MapPost("/second-factor/send", SendCode).WithName("SendSecondFactorCode")
            .WithSummary("Sends the one-time code of a pending login by the chosen channel.");
        auth.MapPost("/second-factor/verify", VerifyCode).WithName("VerifySecondFactorCode")
            .WithSummary("Completes a pending login with its one-time code.");
        auth.MapPost("/second-factor/status", GetChallengeStatus).WithName("GetSecondFactorStatus")
            .WithSummary("Channels of a pending login and whether its code was delivered.");
        return app;
    }

    public static async Task<Results<Ok<LoginResponse>, ProblemHttpResult, ValidationProblem>> Login(
        LoginRequest request, LoginFlow flow, SessionCookie cookie, HttpContext http, IStringLocalizer<SharedResource> text)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }
        LoginOutcome outcome;
        try
        {
            outcome = await flow.StartAsync(request.Username!, request.Password!, http);
        }
        catch (HashingCapacityExceededException)
        {
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(title: text["Login_Busy"], statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return ToResult(outcome, cookie, http, text);
    }

    internal static Results<Ok<LoginResponse>, ProblemHttpResult, ValidationProblem> ToResult(
        LoginOutcome outcome, SessionCookie cookie, HttpContext http, IStringLocalizer<SharedResource> text)
    {
        switch (outcome)
        {
            case LoginOutcome.SignedIn signedIn:
                http.Response.Cookies.Append(cookie.Name, signedIn.SecretId, cookie.Options);
                return TypedResults.Ok(new LoginResponse("signed-in", View(signedIn.Session)));
            case LoginOutcome.SecondFactorRequired challenge:
                return TypedResults.Ok(new LoginResponse("second-factor-required", FlowId: challenge.FlowId, Channels: challenge.Channels,
                    PreferredChannel: challenge.PreferredChannel));
            case LoginOutcome.SsoRequired:
                return TypedResults.Problem(title: text["Login_UseSso"], statusCode: StatusCodes.Status403Forbidden,
                    type: "https://access-platform/problems/sso-required");
            case LoginOutcome.WrongCode:
                return TypedResults.Problem(title: text["Otp_Invalid"], statusCode: StatusCodes.Status401Unauthorized,
                    type: "https://access-platform/problems/wrong-code");
            case LoginOutcome.ChallengeGone:
                return TypedResults.Problem(title: text["Otp_Expired"], statusCode: StatusCodes.Status410Gone,
                    type: "https://access-platform/problems/challenge-gone");
            case LoginOutcome.NoWebAccess:
                return TypedResults.Problem(title: text["Login_NoWebAccess"], statusCode: StatusCodes.Status403Forbidden,
                    type: "https://access-platform/problems/no-web-access");
            case LoginOutcome.TooManyFailures tooMany:
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(tooMany.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(title: text["Login_TooManyAttempts"], statusCode: StatusCodes.Status429TooManyRequests);
            default:
                return TypedResults.Problem(title: text["Login_InvalidCredentials"], statusCode: StatusCodes.Status401Unauthorized,
                    type: "https://access-platform/problems/invalid-credentials");
        }
    }

    public static async Task<Results<Accepted<SendCodeResponse>, ProblemHttpResult, ValidationProblem>> SendCode(
        SendCodeRequest request, SecondFactorStep secondFactor, HttpContext http, IStringLocalizer<SharedResource> text)
    {
        if (string.IsNullOrEmpty(request.FlowId) || string.IsNullOrEmpty(request.Channel))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["flowId"] = ["Required."], ["channel"] = ["Required."] });
        }
        switch (await secondFactor.SendAsync(request.FlowId, request.Channel))
        {
            case SendResult.Sent sent:
                return TypedResults.Accepted((string?)null, new SendCodeResponse(sent.Channel, sent.Destination));
            case SendResult.Cooldown cooldown:
                http.Response.Headers.RetryAfter = cooldown.Seconds.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(title: text["Otp_ResendWait", cooldown.Seconds], statusCode: StatusCodes.Status429TooManyRequests);
            case SendResult.TooManyCodes:
                http.Response.Headers.RetryAfter = "3600";
                return TypedResults.Problem(title: text["Otp_TooMany"], statusCode: StatusCodes.Status429TooManyRequests);
            case SendResult.UnknownChannel:
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["channel"] = ["Not a channel of this user."] });
            case SendResult.Undeliverable undeliverable:
                http.Response.Headers.RetryAfter = "10";
                return TypedResults.Problem(title: text["Otp_DeliveryFailed", undeliverable.Destination], statusCode: StatusCodes.Status503ServiceUnavailable,
                    type: "https://access-platform/problems/code-not-sent");
            default:
                return TypedResults.Problem(title: text["Otp_Expired"], statusCode: StatusCodes.Status410Gone,
                    type: "https://access-platform/problems/challenge-gone");
        }
    }

    public static async Task<Results<Ok<LoginResponse>, ProblemHttpResult, ValidationProblem>> VerifyCode(
        VerifyCodeRequest request, LoginFlow flow, SessionCookie cookie, HttpContext http, IStringLocalizer<SharedResource> text)
    {
        if (string.IsNullOrEmpty(request.FlowId) || string.IsNullOrEmpty(request.Code) || request.Code.Length > 16)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["flowId"] = ["Required."], ["code"] = ["Required, 6 digits."] });
        }
        return ToResult(await flow.CompleteSecondFactorAsync(request.FlowId, request.Code, http), cookie, http, text);
    }

    public static async Task<Results<Ok<ChallengeStatus>, ProblemHttpResult>> GetChallengeStatus(
        ChallengeStatusRequest request, SecondFactorStep secondFactor, IStringLocalizer<SharedResource> text)
    {
        if (await secondFactor.LoadAsync(request.FlowId) is not var (challenge, user))
        {
            return TypedResults.Problem(title: text["Otp_Expired"], statusCode: StatusCodes.Status410Gone);
        }
        var delivery = await secondFactor.DeliveryOfAsync(challenge);
        return TypedResults.Ok(new ChallengeStatus(SecondFactorStep.ChannelsOf(user), challenge.Channel, delivery.ToString().ToLowerInvariant()));
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
