using AccessPlatform.Login.Apis;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Sessions;
using AccessPlatform.Login.Sso;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages;

/// <summary>Ends the session server-side (not just the cookie), audited. POST only, with antiforgery.</summary>
[Authorize]
public sealed class LogoutModel(SessionStore sessions, SessionCookie cookie, AuditLog audit, SsoLogoutTickets tickets) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        var singleLogout = await SessionsApi.EndCurrentAsync(HttpContext, sessions, audit, tickets);
        Response.Cookies.Delete(cookie.Name, cookie.Options);
        // An SSO session continues to Sso.Api, which signs out at the IdP when the IdP takes single logout.
        return LocalRedirect(singleLogout ?? "/login?signedOut=true");
    }
}
