using System.Text.Json;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passkeys;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

/// <param name="Name">What the user calls it ("Laptop", "Phone"), 1 to 64 characters.</param>
/// <param name="Credential">The browser's <c>PublicKeyCredential</c> (its <c>toJSON()</c>) answering the registration options.</param>
public sealed record AddPasskeyRequest(string? Name, JsonElement? Credential);

public sealed record RenamePasskeyRequest(string? Name);

/// <param name="Credential">The browser's <c>PublicKeyCredential</c> (its <c>toJSON()</c>) answering the request options.</param>
public sealed record PasskeyLoginRequest(JsonElement? Credential);

public sealed record PasskeySecondFactorOptionsRequest(string? FlowId);

public sealed record PasskeySecondFactorRequest(string? FlowId, JsonElement? Credential);

/// <summary>
/// Passkeys (WebAuthn): the signed-in user's list, registration, rename and removal (adding and removing need a recent
/// re-authentication, ASVS 7.5.1), the passwordless sign-in and the passkey as second factor of a pending login.
/// Options come as the WebAuthn JSON of <c>PublicKeyCredential.parseCreationOptionsFromJSON</c> / <c>parseRequestOptionsFromJSON</c>.
/// </summary>
public static class PasskeysApi
{
    public const string ChallengeGoneType = "https://access-platform/problems/passkey-challenge-gone";
    public const string RefusedType = "https://access-platform/problems/passkey-refused";
    public const string TooManyType = "https://access-platform/problems/too-many-passkeys";

    public static IEndpointRouteBuilder MapPasskeysApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/account/passkeys").WithTags("Passkeys").RequireAuthorization();
        account.MapGet("", ListPasskeys).WithName("ListPasskeys").WithSummary("The user's passkeys: name, created, last used.");
        account.MapPost("/registration/options", BeginPasskeyRegistration).RequireRecentAuthentication().WithName("BeginPasskeyRegistration").ProducesProblemTypes(409, "too-many-passkeys")
            .WithSummary("Creation options for a new passkey (discoverable, user verification, no attestation); single use, 5 minutes, bound to the session.");
        account.MapPost("", AddPasskey).RequireRecentAuthentication().WithName("AddPasskey").ProducesProblemTypes(400, "passkey-refused").ProducesProblemTypes(409, "too-many-passkeys").ProducesProblemTypes(410, "passkey-challenge-gone")
            .WithSummary("Registers the passkey the browser created for the pending options.");
        account.MapPatch("/{id:guid}", RenamePasskey).WithName("RenamePasskey").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Renames one of the user's passkeys.");
        account.MapDelete("/{id:guid}", RemovePasskey).RequireRecentAuthentication().WithName("RemovePasskey").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Removes one of the user's passkeys.");

        var auth = app.MapGroup("/api/auth").WithTags("Authentication");
        auth.MapPost("/passkey/options", BeginPasskeyLogin).WithName("BeginPasskeyLogin")
            .WithSummary("Request options for a passwordless sign-in with any passkey; single use, 5 minutes, bound to this client by a cookie.");
        auth.MapPost("/passkey/login", PasskeyLogin).WithName("PasskeyLogin").ProducesProblemTypes(401, "passkey-refused").ProducesProblemTypes(403, "sso-required", "no-web-access").ProducesProblemTypes(410, "passkey-challenge-gone")
            .WithSummary("Passwordless sign-in: the passkey's assertion is both factors; answers like the password login.");
        auth.MapPost("/second-factor/passkey/options", PasskeySecondFactorOptions).WithName("GetPasskeySecondFactorOptions").ProducesProblemTypes(410, "challenge-gone")
            .WithSummary("Request options for the passkey second factor of a pending login.");
        auth.MapPost("/second-factor/passkey/verify", VerifyPasskeySecondFactor).WithName("VerifyPasskeySecondFactor").ProducesProblemTypes(401, "passkey-refused").ProducesProblemTypes(410, "challenge-gone", "passkey-challenge-gone")
            .WithSummary("Completes a pending login with the passkey's assertion.");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<PasskeyView>>> ListPasskeys(HttpContext http, PasskeyService passkeys) =>
        TypedResults.Ok(await passkeys.ListAsync(http.User.UserIdOf()));

    public static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> BeginPasskeyRegistration(HttpContext http, PasskeyService passkeys,
        UserStore users, IStringLocalizer<PasskeyResource> text)
    {
        if (await users.FindByIdAsync(http.User.UserIdOf()) is not { } user)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized);
        }
        return await passkeys.BeginRegistrationAsync(user, http.User.SessionHandleOf()) is { } creation
            ? TypedResults.Ok(Json(creation.ToJson()))
            : TypedResults.Problem(title: text["Passkey_TooMany"], statusCode: StatusCodes.Status409Conflict, type: TooManyType);
    }

    public static async Task<Results<Created<PasskeyView>, ProblemHttpResult, ValidationProblem>> AddPasskey(AddPasskeyRequest request,
        HttpContext http, PasskeyService passkeys, UserStore users, IStringLocalizer<PasskeyResource> text)
    {
        var name = PasskeyService.CleanName(request.Name);
        if (name is null || PasskeyJson.ReadAttestation(request.Credential) is not { } credential)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["name"] = [$"Required, 1 to {PasskeyService.MaxNameLength} characters, no control characters."],
                ["credential"] = ["Required: the browser's PublicKeyCredential as JSON."],
            });
        }
        if (await users.FindByIdAsync(http.User.UserIdOf()) is not { } user)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized);
        }
        return await passkeys.CompleteRegistrationAsync(user, http.User.SessionHandleOf(), name, credential, IpOf(http)) switch
        {
            RegistrationResult.Added added => TypedResults.Created($"/api/account/passkeys/{added.Passkey.Id}", added.Passkey),
            RegistrationResult.TooMany => TypedResults.Problem(title: text["Passkey_TooMany"], statusCode: StatusCodes.Status409Conflict, type: TooManyType),
            RegistrationResult.ChallengeGone => TypedResults.Problem(title: text["Passkey_ChallengeGone"], statusCode: StatusCodes.Status410Gone,
                type: ChallengeGoneType),
            _ => TypedResults.Problem(title: text["Passkey_Refused"], statusCode: StatusCodes.Status400BadRequest, type: RefusedType),
        };
    }

    public static async Task<Results<NoContent, NotFound, ValidationProblem>> RenamePasskey(Guid id, RenamePasskeyRequest request, HttpContext http,
        PasskeyService passkeys, UserStore users)
    {
        if (PasskeyService.CleanName(request.Name) is not { } name)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["name"] = [$"Required, 1 to {PasskeyService.MaxNameLength} characters, no control characters."],
            });
        }
        return await users.FindByIdAsync(http.User.UserIdOf()) is { } user && await passkeys.RenameAsync(user, id, name, IpOf(http))
            ? TypedResults.NoContent()
            : TypedResults.NotFound();
    }

    public static async Task<Results<NoContent, NotFound>> RemovePasskey(Guid id, HttpContext http, PasskeyService passkeys, UserStore users) =>
        await users.FindByIdAsync(http.User.UserIdOf()) is { } user && await passkeys.RemoveAsync(user, id, IpOf(http))
            ? TypedResults.NoContent()
            : TypedResults.NotFound();

    public static async Task<Ok<JsonElement>> BeginPasskeyLogin(HttpContext http, PasskeyService passkeys) =>
        TypedResults.Ok(Json((await passkeys.BeginSignInAsync(http)).ToJson()));

    public static async Task<Results<Ok<LoginResponse>, Accepted<LoginResponse>, ProblemHttpResult, ValidationProblem>> PasskeyLogin(
        PasskeyLoginRequest request, PasskeyService passkeys, [AsParameters] LoginEndpointServices services)
    {
        if (PasskeyJson.ReadAssertion(request.Credential) is not { } credential)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["credential"] = ["Required: the browser's PublicKeyCredential as JSON."] });
        }
        if (await passkeys.TakeSignInOptionsAsync(services.Http) is not { } options)
        {
            return TypedResults.Problem(title: services.Text["Otp_Expired"], statusCode: StatusCodes.Status410Gone, type: ChallengeGoneType);
        }
        return AuthApi.ToResult(await services.Flow.StartPasskeyAsync(options, credential, services.Http), services);
    }

    public static async Task<Results<Ok<LoginResponse>, Accepted<LoginResponse>, ProblemHttpResult, ValidationProblem>> PasskeySecondFactorOptions(
        PasskeySecondFactorOptionsRequest request, [AsParameters] LoginEndpointServices services)
    {
        if (string.IsNullOrEmpty(request.FlowId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["flowId"] = ["Required."] });
        }
        return AuthApi.ToResult(await services.Flow.ContinueAsync(request.FlowId, new StepInput.ChooseChannel(PasskeySignInStep.Factor), services.Http),
            services);
    }

    public static async Task<Results<Ok<LoginResponse>, Accepted<LoginResponse>, ProblemHttpResult, ValidationProblem>> VerifyPasskeySecondFactor(
        PasskeySecondFactorRequest request, [AsParameters] LoginEndpointServices services)
    {
        if (string.IsNullOrEmpty(request.FlowId) || PasskeyJson.ReadAssertion(request.Credential) is not { } credential)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["flowId"] = ["Required."], ["credential"] = ["Required."] });
        }
        return AuthApi.ToResult(await services.Flow.ContinueAsync(request.FlowId, new StepInput.SubmitPasskey(credential), services.Http), services);
    }

    /// <summary>Fido2's WebAuthn JSON as it is, so the browser's <c>parse…OptionsFromJSON</c> reads it.</summary>
    internal static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string? IpOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();
}
