using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Admin;

/// <summary>
/// One user's profile and the Account Manager's actions on it. Each button posts to a handler that goes through
/// <see cref="UserAdministration"/>, the same rules as the API; another account's id is a 404 here too.
/// </summary>
[Authorize(Policy = Apis.AdminUsersApi.Policy)]
public sealed class UserProfileModel(UserAdministration admin, TimeProvider clock, IStringLocalizer<AdminResource> text) : PageModel
{
    public sealed class EditForm
    {
        public string? Email { get; set; }
        public string? Phone { get; set; }
        public string[] Roles { get; set; } = [];
        public string? Language { get; set; }
    }

    [BindProperty(SupportsGet = true)] public Guid Id { get; set; }
    [BindProperty] public EditForm Edit { get; set; } = new();

    public User? Profile { get; private set; }
    public IReadOnlyList<Team> MemberOf { get; private set; } = [];
    public IReadOnlyList<Team> OtherTeams { get; private set; } = [];
    public bool Locked => Profile?.LockedUntil > clock.GetUtcNow().UtcDateTime;
    public Guid CurrentUserId => User.UserIdOf();
    public string? Message { get; private set; }
    public List<string> Errors { get; } = [];

    private AdminActor Actor => AdminActor.Of(HttpContext);

    public async Task<IActionResult> OnGetAsync(string? done, int? count)
    {
        if (done is not null && IsKnownDone(done))
        {
            Message = text["Done_" + done, count ?? 0];
        }
        return await ShowAsync();
    }

    public Task<IActionResult> OnPostResetPasswordAsync() => ApplyAsync(admin.SendPasswordResetAsync(Actor, Id), "ResetPassword");

    public Task<IActionResult> OnPostUnlockAsync() => ApplyAsync(admin.UnlockAsync(Actor, Id), "Unlock");

    public Task<IActionResult> OnPostStatusAsync(bool enabled) => ApplyAsync(admin.SetStatusAsync(Actor, Id, enabled), enabled ? "Enable" : "Disable");

    public Task<IActionResult> OnPostWebAccessAsync(bool granted) =>
        ApplyAsync(admin.SetWebAccessAsync(Actor, Id, granted), granted ? "GrantWeb" : "WithdrawWeb");

    public async Task<IActionResult> OnPostRevokeDevicesAsync()
    {
        var (result, count) = await admin.RevokeDevicesAsync(Actor, Id);
        return await AfterAsync(result, "RevokeDevices", count);
    }

    public async Task<IActionResult> OnPostEndSessionsAsync()
    {
        var (result, count) = await admin.EndSessionsAsync(Actor, Id);
        return await AfterAsync(result, "EndSessions", count);
    }

    public Task<IActionResult> OnPostSaveAsync() =>
        ApplyAsync(admin.UpdateAsync(Actor, Id, new UserPatch(Edit.Email ?? "", Edit.Phone ?? "", Edit.Roles, Edit.Language)), "Saved");

    public async Task<IActionResult> OnPostAddToTeamAsync(Guid teamId) =>
        await admin.FindAsync(Actor, Id) is null ? NotFound()
        : await admin.AddMemberAsync(Actor, teamId, Id) ? Done("TeamChanged", 0) : NotFound();

    public async Task<IActionResult> OnPostRemoveFromTeamAsync(Guid teamId) =>
        await admin.FindAsync(Actor, Id) is null ? NotFound()
        : await admin.RemoveMemberAsync(Actor, teamId, Id) ? Done("TeamChanged", 0) : NotFound();

    private async Task<IActionResult> ApplyAsync(Task<AdminResult> action, string done) => await AfterAsync(await action, done, 0);

    private async Task<IActionResult> AfterAsync(AdminResult result, string done, int count)
    {
        switch (result)
        {
            case AdminResult.Done:
                // Post/redirect/get: a reload does not send a second reset email.
                return Done(done, count);
            case AdminResult.Invalid invalid:
                Errors.AddRange(invalid.Errors.SelectMany(e => e.Value));
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return await ShowAsync();
            case AdminResult.Conflict conflict:
                Errors.Add(conflict.Title);
                Response.StatusCode = StatusCodes.Status409Conflict;
                return await ShowAsync();
            case AdminResult.ReauthenticationRequired:
                // Sudo mode: confirm the password, come back to the profile, press the button again.
                return Redirect(RecentAuthentication.PageFor($"/admin/users/{Id}"));
            default:
                return NotFound();
        }
    }

    private RedirectResult Done(string done, int count) => Redirect($"/admin/users/{Id}?done={done}&count={count}");

    private async Task<IActionResult> ShowAsync()
    {
        Profile = await admin.FindAsync(Actor, Id);
        if (Profile is null)
        {
            return NotFound();
        }
        MemberOf = await admin.TeamsOfAsync(Actor, Id);
        OtherTeams = [.. (await admin.ListTeamsAsync(Actor)).Where(t => MemberOf.All(m => m.Id != t.Id))];
        return Page();
    }

    private static bool IsKnownDone(string done) => done is "ResetPassword" or "Unlock" or "Disable" or "Enable" or "GrantWeb" or "WithdrawWeb"
        or "RevokeDevices" or "EndSessions" or "Saved" or "TeamChanged" or "ResetSecondFactors";
}
