using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Admin;

/// <summary>The account's teams and a form to add one; members are managed on the user's profile.</summary>
[Authorize(Policy = Apis.AdminUsersApi.Policy)]
public sealed class TeamsModel(UserAdministration admin, IStringLocalizer<AdminResource> text) : PageModel
{
    [BindProperty] public string? Name { get; set; }

    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(string? created)
    {
        Message = created is { Length: <= 100 } ? text["Teams_Created", created].Value : null;
        Teams = await admin.ListTeamsAsync(AdminActor.Of(HttpContext));
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var actor = AdminActor.Of(HttpContext);
        var (team, errors, _) = await admin.CreateTeamAsync(actor, Name);
        if (team is not null)
        {
            return Redirect($"/admin/teams?created={Uri.EscapeDataString(team.Name)}");
        }
        Error = errors is not null ? string.Join(" ", errors.SelectMany(e => e.Value)) : text["Teams_Exists"];
        Response.StatusCode = errors is not null ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
        Teams = await admin.ListTeamsAsync(actor);
        return Page();
    }
}
