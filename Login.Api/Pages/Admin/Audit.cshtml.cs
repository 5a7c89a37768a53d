using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Admin;

/// <summary>The account's security events with the filters of <c>GET /api/admin/audit</c>.</summary>
[Authorize(Policy = Apis.AdminUsersApi.Policy)]
public sealed class AuditModel(AuditLog audit, UserAdministration admin) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public Guid? UserId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Type { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateTime? To { get; set; }
    // Not "page": Razor Pages use that route value for the page path.
    [BindProperty(SupportsGet = true, Name = "pageNumber")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    private readonly Dictionary<Guid, string> names = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!ModelState.IsValid || Type is { Length: > 64 })
        {
            return BadRequest();
        }
        var actor = AdminActor.Of(HttpContext);
        PageNumber = Math.Clamp(PageNumber, 1, 100_000);
        // The form's times are UTC, as the table shows them.
        Events = await audit.ListAsync(new AuditQuery(actor.AccountId, UserId, string.IsNullOrWhiteSpace(Type) ? null : Type.Trim(),
            From is { } from ? DateTime.SpecifyKind(from, DateTimeKind.Utc) : null, To is { } to ? DateTime.SpecifyKind(to, DateTimeKind.Utc) : null,
            (PageNumber - 1) * PageSize, PageSize));
        foreach (var id in Events.SelectMany(e => new[] { e.UserId, e.ActorId }).OfType<Guid>().Distinct())
        {
            if (await admin.FindAsync(actor, id) is { } user)
            {
                names[id] = user.Username;
            }
        }
        return Page();
    }

    public string NameOf(Guid id) => names.TryGetValue(id, out var name) ? name : id.ToString();

    public string PageLink(int page) =>
        $"/admin/audit?userId={UserId}&type={Uri.EscapeDataString(Type ?? "")}&from={From:yyyy-MM-ddTHH:mm}&to={To:yyyy-MM-ddTHH:mm}&pageNumber={page}";
}
