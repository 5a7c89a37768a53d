using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>The user's factors and account details in one place; each section is a partial that loads its own data.</summary>
[Authorize]
public sealed class SecurityModel : PageModel
{
    public void OnGet()
    {
    }
}
