using System.Globalization;
using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Admin;

/// <summary>
/// The account's users: prefix search, filters (role, status, locked, web access, team), sort, paging and the count,
/// all in the query string so links keep them; and the create-user form. A value the list does not know is ignored
/// and named in a message (the API answers 400 for the same values).
/// </summary>
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

    // Raw strings: a value the list does not know is reported, not a model-binding failure.
    [BindProperty(SupportsGet = true)] public string? Search { get; set; }
    [BindProperty(SupportsGet = true, Name = "role")] public string? RoleFilter { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Locked { get; set; }
    [BindProperty(SupportsGet = true)] public string? WebAccess { get; set; }
    [BindProperty(SupportsGet = true)] public string? Team { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true)] public string? Direction { get; set; }
    // Not "page": Razor Pages use that route value for the page path.
    [BindProperty(SupportsGet = true, Name = "pageNumber")] public string? PageNumberText { get; set; }
    [BindProperty] public CreateForm Input { get; set; } = new();

    public UserListQuery Query { get; private set; } = new();
    public IReadOnlyList<User> Users { get; private set; } = [];
    public int Total { get; private set; }
    public IReadOnlyList<Team> Teams { get; private set; } = [];
    public int PageNumber => Query.Page;
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public bool HasNext => PageNumber < PageCount;
    public List<string> Errors { get; } = [];
    public string? Message { get; private set; }

    /// <summary>The query parameters that were ignored, by name; the page says so.</summary>
    public IReadOnlyList<string> Ignored { get; private set; } = [];

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

    /// <summary>This list with the same filters and sort on another page.</summary>
    public string PageLink(int page) => Link(Query with { Page = page });

    /// <summary>This list sorted by <paramref name="sort"/>: ascending, or the other way round when already sorted by it.</summary>
    public string SortLink(UserSort sort) => Link(Query with { Sort = sort, Descending = Query.Sort == sort && !Query.Descending, Page = 1 });

    /// <summary>The aria-sort value of a column header.</summary>
    public string AriaSort(UserSort sort) => Query.Sort != sort ? "none" : Query.Descending ? "descending" : "ascending";

    private static string Link(UserListQuery q)
    {
        var values = new Dictionary<string, string?>
        {
            ["search"] = q.Search,
            ["role"] = q.Role,
            ["status"] = q.Status,
            ["locked"] = YesNo(q.Locked),
            ["webAccess"] = YesNo(q.WebAccess),
            ["team"] = q.Team?.ToString(),
            ["sort"] = q.SortName,
            ["direction"] = q.Descending ? "desc" : "asc",
            ["pageNumber"] = q.Page.ToString(CultureInfo.InvariantCulture),
        };
        return QueryHelpers.AddQueryString("/admin/users", values.Where(v => v.Value is not null)!);
    }

    private static string? YesNo(bool? value) => value switch { true => "yes", false => "no", null => null };

    private async Task LoadAsync()
    {
        var ignored = new List<string>();
        bool? Flag(string name, string? value)
        {
            switch (value?.Trim().ToLowerInvariant())
            {
                case null or "": return null;
                case "yes" or "true": return true;
                case "no" or "false": return false;
                default: ignored.Add(name); return null;
            }
        }
        Guid? team = null;
        if (!string.IsNullOrWhiteSpace(Team))
        {
            if (Guid.TryParse(Team, out var id)) team = id; else ignored.Add("team");
        }
        int? page = null;
        if (!string.IsNullOrWhiteSpace(PageNumberText))
        {
            if (int.TryParse(PageNumberText, NumberStyles.None, CultureInfo.InvariantCulture, out var p)) page = p; else ignored.Add("pageNumber");
        }
        var (query, errors) = UserListQuery.TryParse(Search, RoleFilter, Status, Flag("locked", Locked), Flag("webAccess", WebAccess), team,
            Sort, Direction, page, PageSize, PageSize);
        ignored.AddRange(errors.Keys);
        Ignored = ignored;
        var actor = AdminActor.Of(HttpContext);
        Teams = await admin.ListTeamsAsync(actor);
        var list = await admin.ListAsync(actor, query);
        if (list.Items.Count == 0 && list.Total > 0 && query.Page > 1)
        {
            // Past the last page (users were removed, or a hand-made link): show the last one rather than nothing.
            query = query with { Page = (list.Total + PageSize - 1) / PageSize };
            list = await admin.ListAsync(actor, query);
        }
        Query = query;
        Users = list.Items;
        Total = list.Total;
    }
}
