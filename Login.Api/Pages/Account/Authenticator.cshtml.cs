using AccessPlatform.Login.Data;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using QRCoder;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>
/// Enrol, replace or remove the authenticator app. Each of them first needs a recent password confirmation
/// (<see cref="RecentAuthentication"/>); without one the browser goes to <c>/account/reauthenticate</c> and back.
/// The same <see cref="AuthenticatorChanges"/> as the API, so a change here is audited and emailed too.
/// </summary>
[Authorize]
public sealed class AuthenticatorModel(AuthenticatorChanges changes, UserStore users, RecentAuthentication recent,
    IStringLocalizer<SharedResource> text) : PageModel
{
    private const string Self = "/account/authenticator";

    public bool Enrolled { get; private set; }
    public bool Replacing { get; private set; }
    public Authenticator.Enrolment? Enrolment { get; private set; }
    public string? QrPng { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Enrolled = await IsEnrolledAsync();
        if (Enrolled)
        {
            return Page();
        }
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        // Every visit starts afresh: a secret shown earlier (another tab, a screenshot) is void.
        Show(await changes.BeginAsync(User.UserIdOf(), User.Identity!.Name!));
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync(string? code)
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        if (Authenticator.IsWellFormed(code) && await changes.ConfirmAsync(User.UserIdOf(), code, IpOf()) is not null)
        {
            return RedirectToPage();
        }
        Error = text["Otp_Invalid"];
        Response.StatusCode = StatusCodes.Status400BadRequest;
        Enrolled = await IsEnrolledAsync();
        Replacing = Enrolled;
        // The same pending secret again, so the app already scanned still fits; a new one once it expired.
        Show(await changes.PendingAsync(User.UserIdOf(), User.Identity!.Name!)
            ?? (Enrolled ? null : await changes.BeginAsync(User.UserIdOf(), User.Identity!.Name!)));
        return Page();
    }

    public async Task<IActionResult> OnPostReplaceAsync(string? code)
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        Enrolled = await IsEnrolledAsync();
        if (!Authenticator.IsWellFormed(code))
        {
            Error = text["Otp_Invalid"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        switch (await changes.BeginReplacementAsync(User.UserIdOf(), User.Identity!.Name!, code!, IpOf()))
        {
            case ReplacementResult.Started started:
                Replacing = true;
                Show(started.Enrolment);
                return Page();
            case ReplacementResult.Locked:
                Error = text["Login_TooManyAttempts"];
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Page();
            case ReplacementResult.NotEnrolled:
                return RedirectToPage();
            default:
                Error = text["Otp_Invalid"];
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
        }
    }

    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        await changes.RemoveAsync(User.UserIdOf(), IpOf());
        return RedirectToPage();
    }

    private async Task<bool> IsEnrolledAsync() => (await users.FindByIdAsync(User.UserIdOf()))?.TotpSecret is not null;

    private void Show(Authenticator.Enrolment? enrolment)
    {
        Enrolment = enrolment;
        if (enrolment is not null)
        {
            using var data = QRCodeGenerator.GenerateQrCode(enrolment.OtpAuthUri, QRCodeGenerator.ECCLevel.M);
            QrPng = Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(5));
        }
    }

    private string? IpOf() => HttpContext.Connection.RemoteIpAddress?.ToString();
}
