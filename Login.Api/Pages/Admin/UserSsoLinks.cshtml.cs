using AccessPlatform.Login.Sessions;
using AccessPlatform.Login.Sso;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Admin;

/// <summary>Where the profile's "Remove" of a user's SSO link posts (<c>_ProfileSsoLinks</c>); another account's user is a 404.</summary>
[Authorize(Policy = Apis.AdminUsersApi.Policy)]
public sealed class UserSsoLinksModel(SsoLinkRemoval removal) : PageModel
{
    [BindProperty(SupportsGet = true)] public Guid Id { get; set; }

    public IActionResult OnGet() => Redirect($"/admin/users/{Id}");

    /// <summary>Removes the link once confirmed (the profile's confirmation step posts confirm=true); unconfirmed, nothing changes.</summary>
    public async Task<IActionResult> OnPostRemoveAsync(string? idpEntityId, string? nameId, bool confirm) =>
        !confirm ? Redirect($"/admin/users/{Id}?cancelled=true#sso-links")
        : await removal.RemoveAsync(User.AccountIdOf(), Id, idpEntityId, nameId, User.UserIdOf(), HttpContext.Connection.RemoteIpAddress?.ToString())
            ? Redirect($"/admin/users/{Id}?ssoLink=removed#sso-links")
            : NotFound();
}
