using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>Users see their active sessions, newest first and a page at a time, and end any of them (ASVS 5.0 7.5.2).</summary>
[Authorize]
public sealed class SessionsModel(SessionStore sessions, AuditLog audit) : PageModel
{
    // Not "page": Razor Pages use that route value for the page path.
    [BindProperty(SupportsGet = true, Name = "pageNumber")] public int PageNumber { get; set; } = 1;

    public SessionPage Sessions { get; private set; } = new([], 1, SessionStore.PageSize, 0);
    public string Current => User.SessionHandleOf();

    public async Task OnGetAsync()
    {
        Sessions = await sessions.ListAsync(User.UserIdOf(), Math.Clamp(PageNumber, 1, 1000));
        PageNumber = Sessions.Page;
    }

    public string PageLink(int number) => $"/account/sessions?pageNumber={number}";

    public async Task<IActionResult> OnPostEndAsync(string id)
    {
        if (id is { Length: <= 64 } && await sessions.EndAsync(User.UserIdOf(), id))
        {
            await audit.RecordAsync(AuditEvents.SessionRevoked, User.AccountIdOf(), User.UserIdOf(), "user-ended", User.UserIdOf(), Ip);
        }
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostEndOthersAsync()
    {
        if (await sessions.EndAllAsync(User.UserIdOf(), exceptHandle: Current) > 0)
        {
            await audit.RecordAsync(AuditEvents.SessionRevoked, User.AccountIdOf(), User.UserIdOf(), "user-ended-others", User.UserIdOf(), Ip);
        }
        return RedirectToPage();
    }

    private string? Ip => HttpContext.Connection.RemoteIpAddress?.ToString();
}
