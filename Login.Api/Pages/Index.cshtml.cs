using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages;

/// <summary>The minimal signed-in home: who you are, and a way out.</summary>
[Authorize]
public sealed class IndexModel : PageModel
{
    public string Account => User.FindFirst(SessionClaims.AccountKey)?.Value ?? "";
}
