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
/// <see cref="UserAdministration"/>, the same rules as the API; another account's id is a 404 here too. A destructive
/// action (disable, end all sessions, revoke devices, reset second factors, remove an SSO link) first shows what it
/// will do and acts only on a second post with <c>confirm=true</c>: a confirmation that needs no script.
/// </summary>
[Authorize(Policy = Apis.AdminUsersApi.Policy)]
public sealed class UserProfileModel(UserAdministration admin, TimeProvider clock, IStringLocalizer<AdminResource> text,
    IStringLocalizer<AdminConsoleResource> console) : PageModel
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

    /// <summary>The destructive action waiting for the manager's confirmation, if one is.</summary>
    public PendingConfirmation? Pending { get; private set; }

    private AdminActor Actor => AdminActor.Of(HttpContext);

    public async Task<IActionResult> OnGetAsync(string? done, int? count, string? confirm, bool cancelled = false)
    {
        if (done is not null && IsKnownDone(done))
        {
            Message = text["Done_" + done, count ?? 0];
        }
        else if (cancelled)
        {
            Message = console["Confirm_Cancelled"];
        }
        // Actions that need nothing but the user: a redirect (e.g. an unconfirmed post elsewhere) can ask for them.
        if (confirm is ConfirmAction.Disable or ConfirmAction.EndSessions or ConfirmAction.RevokeDevices or ConfirmAction.ResetSecondFactors)
        {
            Pending = new PendingConfirmation(confirm);
        }
        return await ShowAsync();
    }

    /// <summary>The first step of a destructive action shown by another page's form (second factors, SSO link).</summary>
    public async Task<IActionResult> OnPostConfirmAsync(string? pendingAction, string? idpEntityId, string? nameId)
    {
        Pending = pendingAction switch
        {
            ConfirmAction.ResetSecondFactors => new PendingConfirmation(pendingAction),
            ConfirmAction.RemoveSsoLink when idpEntityId is { Length: > 0 and <= 1024 } && nameId is { Length: > 0 and <= 1024 } =>
                new PendingConfirmation(pendingAction, idpEntityId, nameId),
            _ => null,
        };
        if (Pending is null)
        {
            return BadRequest();
        }
        return await ShowAsync();
    }

    public Task<IActionResult> OnPostResetPasswordAsync() => ApplyAsync(admin.SendPasswordResetAsync(Actor, Id), "ResetPassword");

    public Task<IActionResult> OnPostUnlockAsync() => ApplyAsync(admin.UnlockAsync(Actor, Id), "Unlock");

    public async Task<IActionResult> OnPostStatusAsync(bool enabled, bool confirm)
    {
        if (!enabled && !confirm)
        {
            return await AskAsync(ConfirmAction.Disable);
        }
        return await ApplyAsync(admin.SetStatusAsync(Actor, Id, enabled), enabled ? "Enable" : "Disable");
    }

    public Task<IActionResult> OnPostWebAccessAsync(bool granted) =>
        ApplyAsync(admin.SetWebAccessAsync(Actor, Id, granted), granted ? "GrantWeb" : "WithdrawWeb");

    public async Task<IActionResult> OnPostRevokeDevicesAsync(bool confirm)
    {
        if (!confirm)
        {
            return await AskAsync(ConfirmAction.RevokeDevices);
        }
        var (result, count) = await admin.RevokeDevicesAsync(Actor, Id);
        return await AfterAsync(result, "RevokeDevices", count);
    }

    public async Task<IActionResult> OnPostEndSessionsAsync(bool confirm)
    {
        if (!confirm)
        {
            return await AskAsync(ConfirmAction.EndSessions);
        }
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

    /// <summary>Nothing changes yet: the page shows what the action will do, and its confirm button posts again with confirm=true.</summary>
    private async Task<IActionResult> AskAsync(string action)
    {
        Pending = new PendingConfirmation(action);
        return await ShowAsync();
    }

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

/// <summary>The destructive actions that ask first; the values are the <c>confirm</c> query values and resource key suffixes.</summary>
public static class ConfirmAction
{
    public const string Disable = "disable";
    public const string EndSessions = "end-sessions";
    public const string RevokeDevices = "revoke-devices";
    public const string ResetSecondFactors = "reset-second-factors";
    public const string RemoveSsoLink = "remove-sso-link";
}

/// <summary>A destructive action shown for confirmation; an SSO link removal carries the link it removes.</summary>
public sealed record PendingConfirmation(string Action, string? IdpEntityId = null, string? NameId = null);
