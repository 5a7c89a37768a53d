using AccessPlatform.Login.Apis;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages;

/// <summary>Ends the session server-side (not just the cookie), audited. POST only, with antiforgery.</summary>
[Authorize]
public sealed class LogoutModel(SessionStore sessions, SessionCookie cookie, AuditLog audit) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await SessionsApi.EndCurrentAsync(HttpContext, sessions, audit);
        Response.Cookies.Delete(cookie.Name, cookie.Options);
        return LocalRedirect("/login?signedOut=true");
    }
}
