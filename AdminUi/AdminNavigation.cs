using Microsoft.AspNetCore.Http;

namespace AccessPlatform.AdminUi;

/// <summary>One entry of the admin navigation: where it goes and the resource key of its label.</summary>
public sealed record AdminNavItem(string Id, string Path, string LabelKey);

/// <summary>
/// The admin console's sections, in the order the navigation shows them, whichever service serves the page (the gateway
/// routes <c>/admin/sso</c> to Sso.Api, the rest to Login.Api).
/// </summary>
public static class AdminNavigation
{
    public static readonly IReadOnlyList<AdminNavItem> Items =
    [
        new("nav-users", "/admin/users", "Nav_Users"),
        new("nav-teams", "/admin/teams", "Nav_Teams"),
        new("nav-audit", "/admin/audit", "Nav_Audit"),
        new("nav-security", "/admin/security", "Nav_Security"),
        new("nav-sso", "/admin/sso", "Nav_Sso"),
    ];

    /// <summary>The section a request path belongs to (a user's profile is under Users), for <c>aria-current</c>.</summary>
    public static bool IsCurrent(AdminNavItem item, PathString path) => path.StartsWithSegments(item.Path, StringComparison.OrdinalIgnoreCase);
}
