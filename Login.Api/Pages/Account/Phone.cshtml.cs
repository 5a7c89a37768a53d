using AccessPlatform.Login.AccountChanges;
using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>
/// A new phone number, confirmed with the SMS code sent to it (<see cref="PhoneChanges"/>, the same as
/// <c>POST /api/account/phone</c> and <c>/phone/confirm</c>). Needs a recent re-authentication.
/// </summary>
[Authorize]
public sealed class PhoneModel(PhoneChanges phones, UserStore users, RecentAuthentication recent, IStringLocalizer<AccountChangeResource> text,
    IStringLocalizer<SharedResource> shared) : PageModel
{
    public const string Self = "/account/phone";

    [BindProperty] public string? NewPhone { get; set; }

    [BindProperty(SupportsGet = true)] public bool Done { get; set; }

    public User? Me { get; private set; }

    /// <summary>The masked number a code was sent to, while it can be confirmed.</summary>
    public string? Pending { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Done && !await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        return await ShowAsync();
    }

    public async Task<IActionResult> OnPostSendAsync()
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        if (await users.FindByIdAsync(User.UserIdOf()) is not { IsActive: true } me)
        {
            return Forbid();
        }
        if (string.IsNullOrWhiteSpace(NewPhone) || UserAdministration.ValidatePhone(NewPhone, new()) is not { } e164)
        {
            return await FailAsync(text["Phone_Invalid"], StatusCodes.Status400BadRequest);
        }
        switch (await phones.StartAsync(me, e164, IpOf()))
        {
            case PhoneChangeStart.Sent:
                return RedirectToPage();
            case PhoneChangeStart.Same:
                return await FailAsync(text["Phone_Same"], StatusCodes.Status400BadRequest);
            case PhoneChangeStart.Cooldown cooldown:
                return await FailAsync(text["Phone_Cooldown", cooldown.Seconds], StatusCodes.Status429TooManyRequests);
            case PhoneChangeStart.TooManyCodes:
                return await FailAsync(shared["Otp_TooMany"], StatusCodes.Status429TooManyRequests);
            default:
                return await FailAsync(text["Phone_Undeliverable"], StatusCodes.Status503ServiceUnavailable);
        }
    }

    public async Task<IActionResult> OnPostConfirmAsync(string? code)
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        if (await users.FindByIdAsync(User.UserIdOf()) is not { IsActive: true } me)
        {
            return Forbid();
        }
        code = code?.Trim().Replace(" ", "");
        if (!Authenticator.IsWellFormed(code))
        {
            return await FailAsync(shared["Otp_Invalid"], StatusCodes.Status400BadRequest);
        }
        return await phones.ConfirmAsync(me, code, IpOf()) switch
        {
            PhoneChangeConfirm.Changed => Redirect($"{Self}?done=true"),
            PhoneChangeConfirm.WrongCode => await FailAsync(shared["Otp_Invalid"], StatusCodes.Status400BadRequest),
            PhoneChangeConfirm.NoCode => await FailAsync(text["Phone_NoCode"], StatusCodes.Status400BadRequest),
            _ => await FailAsync(shared["Login_TooManyAttempts"], StatusCodes.Status429TooManyRequests),
        };
    }

    private async Task<IActionResult> FailAsync(string error, int status)
    {
        Error = error;
        Response.StatusCode = status;
        return await ShowAsync();
    }

    private async Task<IActionResult> ShowAsync()
    {
        Me = await users.FindByIdAsync(User.UserIdOf());
        Pending = await phones.PendingAsync(User.UserIdOf());
        return Page();
    }

    private string? IpOf() => HttpContext.Connection.RemoteIpAddress?.ToString();
}
