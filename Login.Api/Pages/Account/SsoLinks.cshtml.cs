using AccessPlatform.Login.Sessions;
using AccessPlatform.Login.Sso;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>Where the security page's "Remove" of an SSO link posts; the list itself is <c>_SecuritySsoLinks</c>.</summary>
[Authorize]
public sealed class SsoLinksModel(SsoLinkRemoval removal) : PageModel
{
    public IActionResult OnGet() => Redirect("/account/security#sso-links");

    public async Task<IActionResult> OnPostRemoveAsync(string? idpEntityId, string? nameId)
    {
        var removed = await removal.RemoveAsync(User.AccountIdOf(), User.UserIdOf(), idpEntityId, nameId, actorId: null,
            HttpContext.Connection.RemoteIpAddress?.ToString());
        return Redirect($"/account/security?ssoLink={(removed ? "removed" : "unknown")}#sso-links");
    }
}
