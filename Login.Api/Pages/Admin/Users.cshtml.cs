using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Admin;

/// <summary>The account's users with search, team filter and paging, and the create-user form.</summary>
[Authorize(Policy = Apis.AdminUsersApi.Policy)]
public sealed class UsersModel(UserAdministration admin, TimeProvider clock, IStringLocalizer<AdminResource> text) : PageModel
{
    public const int PageSize = 25;

    public sealed class CreateForm
    {
        public string? Username { get; set; }
        public string? Email { get; set; }
        public string? Phone { get; set; }
        public string Role { get; set; } = Roles.User;
        public string Language { get; set; } = "en";
        public bool WebAccess { get; set; } = true;
    }

    [BindProperty(SupportsGet = true)] public string? Search { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Team { get; set; }
    // Not "page": Razor Pages use that route value for the page path.
    [BindProperty(SupportsGet = true, Name = "pageNumber")] public int PageNumber { get; set; } = 1;
    [BindProperty] public CreateForm Input { get; set; } = new();

    public IReadOnlyList<User> Users { get; private set; } = [];
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public bool HasNext { get; private set; }
    public List<string> Errors { get; } = [];
    public string? Message { get; private set; }

    public async Task OnGetAsync(string? created)
    {
        Message = created is { Length: <= 64 } ? text["Create_Done", created].Value : null;
        await LoadAsync();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var result = await admin.CreateAsync(AdminActor.Of(HttpContext),
            new NewUserInput(Input.Username, Input.Email, Input.Phone, [Input.Role], Input.Language, Input.WebAccess));
        switch (result)
        {
            case AdminResult.Done done:
                return Redirect($"/admin/users?created={Uri.EscapeDataString(done.User.Username)}");
            case AdminResult.ReauthenticationRequired:
                // A new Account Manager is a grant of rights: confirm the password, then submit again.
                return Redirect(Sessions.RecentAuthentication.PageFor("/admin/users"));
            case AdminResult.Invalid invalid:
                Errors.AddRange(invalid.Errors.SelectMany(e => e.Value));
                Response.StatusCode = StatusCodes.Status400BadRequest;
                break;
            case AdminResult.Conflict conflict:
                Errors.Add(conflict.Title);
                Response.StatusCode = StatusCodes.Status409Conflict;
                break;
        }
        await LoadAsync();
        return Page();
    }

    public bool IsLocked(User user) => user.LockedUntil > clock.GetUtcNow().UtcDateTime;

    public string PageLink(int page) =>
        $"/admin/users?search={Uri.EscapeDataString(Search ?? "")}&team={Team}&pageNumber={page}";

    private async Task LoadAsync()
    {
        var actor = AdminActor.Of(HttpContext);
        PageNumber = Math.Max(1, PageNumber);
        Teams = await admin.ListTeamsAsync(actor);
        var rows = await ListPageAsync(actor);
        HasNext = rows.Count > PageSize;
        Users = [.. rows.Take(PageSize)];
    }

    private async Task<IReadOnlyList<User>> ListPageAsync(AdminActor actor)
    {
        var page = await admin.ListAsync(actor, Search, Team, PageNumber, PageSize);
        if (page.Count < PageSize)
        {
            return page;
        }
        // One row past the page tells whether a next page exists without counting the whole account.
        var next = await admin.ListAsync(actor, Search, Team, PageNumber * PageSize + 1, 1);
        return [.. page, .. next];
    }
}
