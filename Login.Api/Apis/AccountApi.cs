using AccessPlatform.Login.AccountChanges;
using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

/// <param name="EndOtherSessions">Sign out every other session (default: yes, ASVS 7.4.3).</param>
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword, string? ConfirmPassword = null, bool? EndOtherSessions = null);

public sealed record ChangePasswordResponse(string Message, int EndedSessions);

public sealed record ChangeEmailRequest(string? Email);

public sealed record ChangePhoneRequest(string? Phone);

public sealed record PhoneCodeRequest(string? Code);

public sealed record ConfirmChangeRequest(string? Token);

public sealed record AccountChangeAccepted(string Message, string? Destination = null);

public sealed record ConfirmedChange(string Kind);

/// <param name="NewValue">Masked: the page shows which change waits, not the whole new address.</param>
public sealed record PendingChangeView(string Kind, string NewValue, bool RequestedByAccountManager, DateTime ExpiresAt);

public sealed record AccountDetailsView(string Username, string Email, string? Phone, PendingChangeView[] Pending, string? PendingPhoneCode);

/// <summary>
/// The signed-in user's own password, email and phone (ASVS 6.2.3, 6.3.6, 7.4.3). Every change needs a recent
/// re-authentication (403 <c>reauthentication-required</c>, see <c>POST /api/auth/reauthenticate</c>); the email
/// and phone take effect only once confirmed from the new address (link) or number (SMS code).
/// <c>POST /api/account/changes/confirm</c> is the link's redemption and needs no session: it is opened from the mailbox.
/// </summary>
public static class AccountApi
{
    public const string WrongCodeType = "https://access-platform/problems/wrong-code";
    public const string NoCodeType = "https://access-platform/problems/code-not-requested";
    public const string InvalidLinkType = "https://access-platform/problems/invalid-confirmation-link";
    public const string SameValueType = "https://access-platform/problems/unchanged";
    public const string InvalidCredentialsType = "https://access-platform/problems/invalid-credentials";

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/account").WithTags("Account").RequireAuthorization();
        account.MapGet("", GetDetails).WithName("GetAccountDetails").WithSummary("The user's email, phone and changes waiting for confirmation.");
        var guarded = account.MapGroup("").RequireRecentAuthentication();
        guarded.MapPost("/password", ChangePassword).WithName("ChangePassword").ProducesProblemTypes(401, "invalid-credentials")
            .WithSummary("Changes the password with the current one; other sessions end unless asked not to; the user is emailed.");
        guarded.MapPost("/email", ChangeEmail).WithName("ChangeEmail").ProducesProblemTypes(400, "unchanged")
            .WithSummary("Sends a confirmation link to the new address; the old address is told. Takes effect when the link is used.");
        guarded.MapPost("/phone", ChangePhone).WithName("ChangePhone").ProducesProblemTypes(400, "unchanged").WithSummary("Sends an SMS code to the new number (E.164).");
        guarded.MapPost("/phone/confirm", ConfirmPhone).WithName("ConfirmPhone").ProducesProblemTypes(400, "wrong-code", "code-not-requested").WithSummary("Confirms the new number with its SMS code.");
        app.MapGroup("/api/account/changes").WithTags("Account").AllowAnonymous()
            .MapPost("/confirm", ConfirmChange).WithName("ConfirmAccountChange").ProducesProblemTypes(400, "invalid-confirmation-link")
            .WithSummary("Redeems the link sent to a new email address (or, after an Account Manager's change, a new number).");
        return app;
    }

    public static async Task<Results<Ok<AccountDetailsView>, UnauthorizedHttpResult>> GetDetails(HttpContext http, UserStore users, ContactChanges changes,
        PhoneChanges phones)
    {
        if (await users.FindByIdAsync(http.User.UserIdOf()) is not { } user)
        {
            return TypedResults.Unauthorized();
        }
        var pending = await changes.PendingAsync(user.Id);
        return TypedResults.Ok(new AccountDetailsView(user.Username, user.Email, user.Phone,
            [.. pending.Select(View)], await phones.PendingAsync(user.Id)));
    }

    internal static PendingChangeView View(PendingContactChange p) =>
        new(p.Kind == ContactKind.Email ? "email" : "phone", p.Kind == ContactKind.Email ? Masking.Email(p.NewValue) : Masking.Phone(p.NewValue),
            p.RequestedBy is not null, p.ExpiresAt);

    public static async Task<Results<Ok<ChangePasswordResponse>, ValidationProblem, ProblemHttpResult>> ChangePassword(ChangePasswordRequest request,
        HttpContext http, PasswordChanges passwords, PasswordPolicy policy, IStringLocalizer<SharedResource> shared, IStringLocalizer<AccountChangeResource> text)
    {
        if (string.IsNullOrEmpty(request.CurrentPassword) || string.IsNullOrEmpty(request.NewPassword)
            || request.CurrentPassword.Length > ReauthenticationApi.MaxPasswordLength || request.NewPassword.Length > ReauthenticationApi.MaxPasswordLength)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["currentPassword"] = ["Required, at most 512 characters."], ["newPassword"] = ["Required, at most 512 characters."],
            });
        }
        if (request.ConfirmPassword is not null && request.ConfirmPassword != request.NewPassword)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["confirmPassword"] = [shared["Reset_Mismatch"]] },
                title: shared["Reset_Mismatch"]);
        }
        PasswordChangeResult result;
        try
        {
            result = await passwords.ChangeAsync(http, request.CurrentPassword, request.NewPassword, request.EndOtherSessions ?? true);
        }
        catch (HashingCapacityExceededException)
        {
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(title: shared["Login_Busy"], statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        switch (result)
        {
            case PasswordChangeResult.Changed changed:
                return TypedResults.Ok(new ChangePasswordResponse(text["Password_Done"], changed.EndedSessions));
            case PasswordChangeResult.Rejected rejected:
                var message = PasswordApi.ProblemText(rejected.Problem, policy, shared);
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["newPassword"] = [message] }, title: message);
            case PasswordChangeResult.WrongPassword:
                return TypedResults.Problem(title: text["Password_WrongCurrent"], statusCode: StatusCodes.Status401Unauthorized, type: InvalidCredentialsType);
            case PasswordChangeResult.Conflict:
                return TypedResults.Problem(title: text["Password_Conflict"], statusCode: StatusCodes.Status409Conflict);
            default:
                return TypedResults.Problem(title: shared["Login_TooManyAttempts"], statusCode: StatusCodes.Status429TooManyRequests);
        }
    }

    public static async Task<Results<Accepted<AccountChangeAccepted>, ValidationProblem, ProblemHttpResult, UnauthorizedHttpResult>> ChangeEmail(
        ChangeEmailRequest request, HttpContext http, UserStore users, ContactChanges changes, IStringLocalizer<AccountChangeResource> text)
    {
        var errors = new Dictionary<string, string[]>();
        if (UserAdministration.ValidateEmail(request.Email, errors) is not { } email)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = [text["Email_Invalid"]] }, title: text["Email_Invalid"]);
        }
        if (await users.FindByIdAsync(http.User.UserIdOf()) is not { IsActive: true } user)
        {
            return TypedResults.Unauthorized();
        }
        return await changes.RequestEmailAsync(user, email, null, IpOf(http)) switch
        {
            ContactRequestResult.Sent => TypedResults.Accepted((string?)null, new AccountChangeAccepted(text["Email_Sent"], Masking.Email(email))),
            ContactRequestResult.Same => TypedResults.Problem(title: text["Email_Same"], statusCode: StatusCodes.Status400BadRequest, type: SameValueType),
            _ => TypedResults.Problem(title: text["Email_Throttled"], statusCode: StatusCodes.Status429TooManyRequests),
        };
    }

    public static async Task<Results<Accepted<AccountChangeAccepted>, ValidationProblem, ProblemHttpResult, UnauthorizedHttpResult>> ChangePhone(
        ChangePhoneRequest request, HttpContext http, UserStore users, PhoneChanges phones, IStringLocalizer<AccountChangeResource> text,
        IStringLocalizer<SharedResource> shared)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Phone) || UserAdministration.ValidatePhone(request.Phone, errors) is not { } e164)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phone"] = [text["Phone_Invalid"]] }, title: text["Phone_Invalid"]);
        }
        if (await users.FindByIdAsync(http.User.UserIdOf()) is not { IsActive: true } user)
        {
            return TypedResults.Unauthorized();
        }
        switch (await phones.StartAsync(user, e164, IpOf(http)))
        {
            case PhoneChangeStart.Sent sent:
                return TypedResults.Accepted((string?)null, new AccountChangeAccepted(text["Phone_Sent", sent.MaskedPhone], sent.MaskedPhone));
            case PhoneChangeStart.Same:
                return TypedResults.Problem(title: text["Phone_Same"], statusCode: StatusCodes.Status400BadRequest, type: SameValueType);
            case PhoneChangeStart.Cooldown cooldown:
                http.Response.Headers.RetryAfter = cooldown.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(title: text["Phone_Cooldown", cooldown.Seconds], statusCode: StatusCodes.Status429TooManyRequests);
            case PhoneChangeStart.TooManyCodes:
                return TypedResults.Problem(title: shared["Otp_TooMany"], statusCode: StatusCodes.Status429TooManyRequests);
            default:
                return TypedResults.Problem(title: text["Phone_Undeliverable"], statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult, UnauthorizedHttpResult>> ConfirmPhone(PhoneCodeRequest request,
        HttpContext http, UserStore users, PhoneChanges phones, IStringLocalizer<AccountChangeResource> text, IStringLocalizer<SharedResource> shared)
    {
        if (!Authenticator.IsWellFormed(request.Code))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["Required, 6 digits."] });
        }
        if (await users.FindByIdAsync(http.User.UserIdOf()) is not { IsActive: true } user)
        {
            return TypedResults.Unauthorized();
        }
        return await phones.ConfirmAsync(user, request.Code, IpOf(http)) switch
        {
            PhoneChangeConfirm.Changed => TypedResults.NoContent(),
            PhoneChangeConfirm.WrongCode => TypedResults.Problem(title: shared["Otp_Invalid"], statusCode: StatusCodes.Status400BadRequest, type: WrongCodeType),
            PhoneChangeConfirm.NoCode => TypedResults.Problem(title: text["Phone_NoCode"], statusCode: StatusCodes.Status400BadRequest, type: NoCodeType),
            _ => TypedResults.Problem(title: shared["Login_TooManyAttempts"], statusCode: StatusCodes.Status429TooManyRequests),
        };
    }

    public static async Task<Results<Ok<ConfirmedChange>, ProblemHttpResult>> ConfirmChange(ConfirmChangeRequest request, HttpContext http,
        ContactChanges changes, IStringLocalizer<AccountChangeResource> text) =>
        await changes.ConfirmAsync(request.Token, IpOf(http)) is { } applied
            ? TypedResults.Ok(new ConfirmedChange(applied.Kind == ContactKind.Email ? "email" : "phone"))
            : TypedResults.Problem(title: text["Confirm_Invalid"], statusCode: StatusCodes.Status400BadRequest, type: InvalidLinkType);

    private static string? IpOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();
}
