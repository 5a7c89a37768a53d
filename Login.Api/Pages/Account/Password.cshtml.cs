using AccessPlatform.Login.AccountChanges;
using AccessPlatform.Login.Apis;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>
/// Change the password while signed in: the same <see cref="PasswordChanges"/> as <c>POST /api/account/password</c>.
/// Needs a recent re-authentication (<see cref="RecentAuthentication"/>); without one the browser goes to
/// <c>/account/reauthenticate</c> and back. No password is ever echoed into the page.
/// </summary>
[Authorize]
public sealed class PasswordModel(PasswordChanges passwords, PasswordPolicy policy, RecentAuthentication recent, IStringLocalizer<SharedResource> shared,
    IStringLocalizer<AccountChangeResource> text) : PageModel
{
    public const string Self = "/account/password";

    [BindProperty] public string? CurrentPassword { get; set; }
    [BindProperty] public string? NewPassword { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }

    /// <summary>Checked by default (ASVS 7.4.3); an unchecked box posts nothing, so the form also posts a hidden "false".</summary>
    [BindProperty] public bool EndOtherSessions { get; set; } = true;

    [BindProperty(SupportsGet = true)] public int? Ended { get; set; }

    public string? Error { get; private set; }

    public int MinLength => policy.MinLength;

    public async Task<IActionResult> OnGetAsync() =>
        Ended is null && !await recent.IsRecentAsync(HttpContext) ? Redirect(RecentAuthentication.PageFor(Self)) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        var current = CurrentPassword;
        var next = NewPassword;
        var confirm = ConfirmPassword;
        CurrentPassword = NewPassword = ConfirmPassword = null; // never echoed back
        if (string.IsNullOrEmpty(current) || string.IsNullOrEmpty(next)
            || current.Length > ReauthenticationApi.MaxPasswordLength || next.Length > ReauthenticationApi.MaxPasswordLength)
        {
            return Fail(shared["Login_Required"], StatusCodes.Status400BadRequest);
        }
        if (confirm != next)
        {
            return Fail(shared["Reset_Mismatch"], StatusCodes.Status400BadRequest);
        }
        PasswordChangeResult result;
        try
        {
            result = await passwords.ChangeAsync(HttpContext, current, next, EndOtherSessions);
        }
        catch (HashingCapacityExceededException)
        {
            Response.Headers.RetryAfter = "1";
            return Fail(shared["Login_Busy"], StatusCodes.Status503ServiceUnavailable);
        }
        return result switch
        {
            // Post/redirect/get: a reload does not post the passwords again.
            PasswordChangeResult.Changed changed => Redirect($"{Self}?ended={changed.EndedSessions}"),
            PasswordChangeResult.Rejected rejected => Fail(PasswordApi.ProblemText(rejected.Problem, policy, shared), StatusCodes.Status400BadRequest),
            PasswordChangeResult.WrongPassword => Fail(text["Password_WrongCurrent"], StatusCodes.Status401Unauthorized),
            PasswordChangeResult.Conflict => Fail(text["Password_Conflict"], StatusCodes.Status409Conflict),
            _ => Fail(shared["Login_TooManyAttempts"], StatusCodes.Status429TooManyRequests),
        };
    }

    private PageResult Fail(string error, int status)
    {
        Error = error;
        Response.StatusCode = status;
        return Page();
    }
}
