using AccessPlatform.Login.Data;
using AccessPlatform.Login.Passkeys;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>
/// The no-JavaScript half of the passkeys section of <c>/account/security</c>: rename and remove. Removing needs a
/// recent re-authentication (<see cref="RecentAuthentication"/>), like adding; the list itself is on the security page.
/// </summary>
[Authorize]
public sealed class PasskeysModel(PasskeyService passkeys, UserStore users, RecentAuthentication recent) : PageModel
{
    private const string Section = "/account/security#passkeys";

    public IActionResult OnGet() => Redirect(Section);

    public async Task<IActionResult> OnPostRenameAsync(Guid id, string? name)
    {
        if (PasskeyService.CleanName(name) is not { } clean)
        {
            return BadRequest();
        }
        if (await users.FindByIdAsync(User.UserIdOf()) is { } user)
        {
            await passkeys.RenameAsync(user, id, clean, IpOf());
        }
        return Redirect(Section);
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid id)
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Section));
        }
        if (await users.FindByIdAsync(User.UserIdOf()) is { } user)
        {
            await passkeys.RemoveAsync(user, id, IpOf());
        }
        return Redirect(Section);
    }

    private string? IpOf() => HttpContext.Connection.RemoteIpAddress?.ToString();
}
