using AccessPlatform.Login.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Admin;

/// <summary>The account's security policies: today whether users may fall back to weaker second factors.</summary>
[Authorize(Policy = Apis.AdminUsersApi.Policy)]
public sealed class SecurityModel(AccountPolicies policies, Sessions.RecentAuthentication recent, IStringLocalizer<AdminResource> text) : PageModel
{
    [BindProperty] public bool SecondFactorFallback { get; set; }
    [BindProperty] public bool AccountManagersMustUsePasskey { get; set; }
    [BindProperty] public bool EveryoneMustUsePasskey { get; set; }

    public string? Message { get; private set; }

    public async Task OnGetAsync(bool saved)
    {
        var policy = await policies.GetAsync(AdminActor.Of(HttpContext));
        (SecondFactorFallback, AccountManagersMustUsePasskey, EveryoneMustUsePasskey) =
            (policy.SecondFactorFallback, policy.AccountManagersMustUsePasskey, policy.EveryoneMustUsePasskey);
        Message = saved ? text["Security_Saved"].Value : null;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(Sessions.RecentAuthentication.PageFor("/admin/security"));
        }
        await policies.SetAsync(AdminActor.Of(HttpContext), new AccountPolicy(SecondFactorFallback, AccountManagersMustUsePasskey, EveryoneMustUsePasskey));
        return Redirect("/admin/security?saved=true");
    }
}
