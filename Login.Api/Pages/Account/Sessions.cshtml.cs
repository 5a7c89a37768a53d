using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>Users see their active sessions and end any of them (ASVS 5.0 7.5.2).</summary>
[Authorize]
public sealed class SessionsModel(SessionStore sessions) : PageModel
{
    public IReadOnlyList<Session> Sessions { get; private set; } = [];
    public string Current => User.SessionHandleOf();

    public async Task OnGetAsync() => Sessions = await sessions.ListAsync(User.UserIdOf());

    public async Task<IActionResult> OnPostEndAsync(string id)
    {
        await sessions.EndAsync(User.UserIdOf(), id);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostEndOthersAsync()
    {
        await sessions.EndAllAsync(User.UserIdOf(), exceptHandle: Current);
        return RedirectToPage();
    }
}
