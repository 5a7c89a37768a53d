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
/// Ask for a new email address: a link goes to it and the current address is told; the address changes only when
/// the link is used (<see cref="ContactChanges"/>, the same as <c>POST /api/account/email</c>). Needs a recent re-authentication.
/// </summary>
[Authorize]
public sealed class EmailModel(ContactChanges changes, UserStore users, RecentAuthentication recent, IStringLocalizer<AccountChangeResource> text) : PageModel
{
    public const string Self = "/account/email";

    [BindProperty] public string? NewEmail { get; set; }

    public User? Me { get; private set; }
    public PendingContactChange? Pending { get; private set; }
    public string? Error { get; private set; }
    public string? Sent { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        return await ShowAsync();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        if (await users.FindByIdAsync(User.UserIdOf()) is not { IsActive: true } me)
        {
            return Forbid();
        }
        if (UserAdministration.ValidateEmail(NewEmail, new()) is not { } email)
        {
            return await FailAsync(text["Email_Invalid"], StatusCodes.Status400BadRequest);
        }
        switch (await changes.RequestEmailAsync(me, email, null, HttpContext.Connection.RemoteIpAddress?.ToString()))
        {
            case ContactRequestResult.Sent:
                Sent = text["Email_Sent", Masking.Email(email)];
                NewEmail = null;
                return await ShowAsync();
            case ContactRequestResult.Same:
                return await FailAsync(text["Email_Same"], StatusCodes.Status400BadRequest);
            default:
                return await FailAsync(text["Email_Throttled"], StatusCodes.Status429TooManyRequests);
        }
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
        Pending = (await changes.PendingAsync(User.UserIdOf())).FirstOrDefault(p => p.Kind == ContactKind.Email);
        return Page();
    }
}
