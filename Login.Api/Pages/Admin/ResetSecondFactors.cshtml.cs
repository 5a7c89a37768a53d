using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Admin;

/// <summary>
/// The profile's "Reset second factors" button posts here: the same <see cref="SecondFactorReset"/> as the API, after
/// the manager's confirmation and recent re-authentication (else to <c>/account/reauthenticate</c> and back to the profile).
/// </summary>
[Authorize(Policy = Apis.AdminUsersApi.Policy)]
public sealed class ResetSecondFactorsModel(SecondFactorReset reset, RecentAuthentication recent) : PageModel
{
    [BindProperty(SupportsGet = true)] public Guid Id { get; set; }

    private string Profile => $"/admin/users/{Id}";

    public IActionResult OnGet() => Redirect(Profile);

    public async Task<IActionResult> OnPostAsync(bool confirm)
    {
        if (!confirm)
        {
            // Destructive: only the profile's confirmation step posts confirm=true; anything else is asked first.
            return Redirect($"{Profile}?confirm={ConfirmAction.ResetSecondFactors}#confirm");
        }
        if (!await recent.IsRecentAsync(HttpContext))
        {
            // Back to the confirmation, not the bare profile: the manager already said yes once.
            return Redirect(RecentAuthentication.PageFor($"{Profile}?confirm={ConfirmAction.ResetSecondFactors}"));
        }
        return await reset.ResetAsync(AdminActor.Of(HttpContext), Id) is null ? NotFound() : Redirect($"{Profile}?done=ResetSecondFactors&count=0");
    }
}
