using System.Globalization;
using System.Reflection;
using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace AccessPlatform.Login.Pages.Admin;

/// <summary>
/// The account's security events with the filters of <c>GET /api/admin/audit</c>: a user (by username or id), a type
/// (exact, or a prefix ending in '.'), a time range (UTC); and a link that downloads the same rows as CSV.
/// </summary>
[Authorize(Policy = Apis.AdminUsersApi.Policy)]
public sealed class AuditModel(AuditLog audit, UserAdministration admin, UserStore users) : PageModel
{
    public const int PageSize = 50;

    /// <summary>Every event type and type prefix, offered as suggestions for the type filter.</summary>
    public static readonly string[] KnownTypes = [.. new[] { typeof(AuditEvents), typeof(Sso.SsoAuditEvents) }
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!).Where(v => v.Contains('.'))
        .SelectMany(v => new[] { v[..(v.IndexOf('.') + 1)], v }).Distinct().Order(StringComparer.Ordinal)];

    [BindProperty(SupportsGet = true)] public Guid? UserId { get; set; }

    /// <summary>A username of this account, or a user id: what the manager types in the user filter.</summary>
    [BindProperty(SupportsGet = true, Name = "user")] public string? UserText { get; set; }
    [BindProperty(SupportsGet = true)] public string? Type { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? To { get; set; }
    // Not "page": Razor Pages use that route value for the page path.
    [BindProperty(SupportsGet = true, Name = "pageNumber")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    /// <summary>The user filter named no user of this account: nothing is listed, and the page says why.</summary>
    public bool UnknownUser { get; private set; }

    private readonly Dictionary<Guid, string> names = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!ModelState.IsValid || Type is { Length: > 64 } || UserText is { Length: > 64 } || From > To)
        {
            return BadRequest();
        }
        var actor = AdminActor.Of(HttpContext);
        PageNumber = Math.Clamp(PageNumber, 1, 100_000);
        if (!string.IsNullOrWhiteSpace(UserText))
        {
            var text = UserText.Trim();
            // Only a user of the manager's own account counts: another account's username or id finds nothing.
            var user = Guid.TryParse(text, out var id) ? await admin.FindAsync(actor, id) : await users.FindByUsernameAsync(text);
            if (user is null || user.AccountId != actor.AccountId)
            {
                UnknownUser = true;
                return Page();
            }
            UserId = user.Id;
            UserText = user.Username;
        }
        Events = await audit.ListAsync(new AuditQuery(actor.AccountId, UserId, string.IsNullOrWhiteSpace(Type) ? null : Type.Trim(),
            Utc(From), Utc(To), (PageNumber - 1) * PageSize, PageSize));
        foreach (var id in Events.SelectMany(e => new[] { e.UserId, e.ActorId }).OfType<Guid>().Distinct())
        {
            if (await admin.FindAsync(actor, id) is { } user)
            {
                names[id] = user.Username;
            }
        }
        if (UserId is { } filtered && UserText is null && names.TryGetValue(filtered, out var name))
        {
            UserText = name;
        }
        return Page();
    }

    public string NameOf(Guid id) => names.TryGetValue(id, out var name) ? name : id.ToString();

    public string PageLink(int page) => QueryHelpers.AddQueryString("/admin/audit", Filters(page).Where(f => f.Value is not null)!);

    /// <summary>The CSV of the rows this page's filters select (all pages, capped), from the API.</summary>
    public string ExportLink => QueryHelpers.AddQueryString("/api/admin/audit/export", new Dictionary<string, string?>
    {
        ["userId"] = UserId?.ToString(),
        ["type"] = string.IsNullOrWhiteSpace(Type) ? null : Type.Trim(),
        // The form's times are UTC: the API is told so.
        ["from"] = From?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["to"] = To?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    }.Where(f => f.Value is not null)!);

    private Dictionary<string, string?> Filters(int page) => new()
    {
        ["userId"] = UserId?.ToString(),
        ["type"] = Type,
        ["from"] = From?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
        ["to"] = To?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
        ["pageNumber"] = page.ToString(CultureInfo.InvariantCulture),
    };

    // The form's times are UTC, as the table shows them.
    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}
