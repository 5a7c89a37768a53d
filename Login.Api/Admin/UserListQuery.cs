namespace AccessPlatform.Login.Admin;

/// <summary>The orders the users list offers; each is walked along an index of migration 0013.</summary>
public enum UserSort
{
    Username,
    Name,
    LastSignIn,
    Created,
}

/// <summary>
/// One page of the users list as the manager asked for it: a prefix search (username, email, given or family name,
/// case-insensitive), filters, an order and a page. Built only by <see cref="TryParse"/>, so every value is known.
/// </summary>
public sealed record UserListQuery(
    string? Search = null, string? Role = null, string? Status = null, bool? Locked = null, bool? WebAccess = null, Guid? Team = null,
    UserSort Sort = UserSort.Username, bool Descending = false, int Page = 1, int PageSize = 50)
{
    public const int MaxSearchLength = 256;
    public const int MaxPage = 100_000;

    public static readonly IReadOnlyDictionary<string, UserSort> Sorts = new Dictionary<string, UserSort>(StringComparer.OrdinalIgnoreCase)
    {
        ["username"] = UserSort.Username,
        ["name"] = UserSort.Name,
        ["lastSignIn"] = UserSort.LastSignIn,
        ["created"] = UserSort.Created,
    };

    public static readonly string[] Statuses = ["active", "disabled"];

    public int Offset => (Page - 1) * PageSize;

    /// <summary>The query string value of <see cref="Sort"/>, as links carry it.</summary>
    public string SortName => Sorts.First(s => s.Value == Sort).Key;

    /// <summary>
    /// Reads the raw query values; every value that is not one the list knows is an error under its parameter name
    /// (the API answers them as a 400, the page ignores them and says so).
    /// </summary>
    public static (UserListQuery Query, Dictionary<string, string[]> Errors) TryParse(
        string? search, string? role, string? status, bool? locked, bool? webAccess, Guid? team, string? sort, string? direction, int? page, int? pageSize,
        int defaultPageSize)
    {
        var errors = new Dictionary<string, string[]>();
        search = string.IsNullOrWhiteSpace(search) ? null : search.Trim();
        if (search is { Length: > MaxSearchLength } || (search is not null && search.Any(char.IsControl)))
        {
            errors["search"] = [$"At most {MaxSearchLength} characters, no control characters."];
            search = null;
        }
        role = string.IsNullOrWhiteSpace(role) ? null : role.Trim();
        if (role is not null && !UserAdministration.AssignableRoles.Contains(role))
        {
            errors["role"] = [$"One of: {string.Join(", ", UserAdministration.AssignableRoles)}."];
            role = null;
        }
        status = string.IsNullOrWhiteSpace(status) ? null : status.Trim();
        if (status is not null && !Statuses.Contains(status))
        {
            errors["status"] = [$"One of: {string.Join(", ", Statuses)}."];
            status = null;
        }
        var order = UserSort.Username;
        if (!string.IsNullOrWhiteSpace(sort) && !Sorts.TryGetValue(sort.Trim(), out order))
        {
            errors["sort"] = [$"One of: {string.Join(", ", Sorts.Keys)}."];
            order = UserSort.Username;
        }
        var descending = false;
        if (!string.IsNullOrWhiteSpace(direction))
        {
            switch (direction.Trim().ToLowerInvariant())
            {
                case "asc": break;
                case "desc": descending = true; break;
                default: errors["direction"] = ["Either 'asc' or 'desc'."]; break;
            }
        }
        if (page is < 1 or > MaxPage)
        {
            errors["page"] = [$"From 1 to {MaxPage}."];
            page = null;
        }
        if (pageSize is < 1 or > UserAdministration.MaxPageSize)
        {
            errors["pageSize"] = [$"From 1 to {UserAdministration.MaxPageSize}."];
            pageSize = null;
        }
        return (new UserListQuery(search, role, status, locked, webAccess, team, order, descending, page ?? 1, pageSize ?? defaultPageSize), errors);
    }
}

/// <summary>One page of users and how many users match the query in all.</summary>
public sealed record UserListPage(IReadOnlyList<Data.User> Items, int Total);
