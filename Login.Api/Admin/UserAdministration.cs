using System.Net.Mail;
using System.Text.RegularExpressions;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Devices;
using AccessPlatform.Login.Localization;
using AccessPlatform.Login.PasswordReset;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Admin;

/// <summary>The Account Manager making a change: their account bounds every query, their id goes into the audit log.</summary>
public sealed record AdminActor(Guid AccountId, Guid UserId, string? Ip)
{
    // A field, not a property: actors also serve as Dapper parameter objects.
    private Func<Task<bool>>? recentlyAuthenticated;

    public static AdminActor Of(HttpContext http) =>
        new(http.User.AccountIdOf(), http.User.UserIdOf(), http.Connection.RemoteIpAddress?.ToString())
        {
            recentlyAuthenticated = () => http.RequestServices.GetRequiredService<RecentAuthentication>().IsRecentAsync(http),
        };

    /// <summary>Whether the manager's session proved the password recently (sudo mode, ASVS 7.5.1); asked only by security changes.</summary>
    public Task<bool> IsRecentlyAuthenticatedAsync() => recentlyAuthenticated?.Invoke() ?? Task.FromResult(false);
}

/// <summary>A new user as the manager enters it.</summary>
public sealed record NewUserInput(string? Username, string? Email, string? Phone, string[]? Roles, string? Language, bool? WebAccess);

/// <summary>A partial profile change: null leaves a field as it is; an empty phone removes the number.</summary>
public sealed record UserPatch(string? Email = null, string? Phone = null, string[]? Roles = null, string? Language = null, bool? WebAccess = null,
    string? Status = null);

public abstract record AdminResult
{
    public sealed record Done(User User) : AdminResult;

    /// <summary>Not in the caller's account, or no such id: the same answer.</summary>
    public sealed record NotFound : AdminResult;

    public sealed record Invalid(Dictionary<string, string[]> Errors) : AdminResult;

    public sealed record Conflict(string Title) : AdminResult;

    /// <summary>A change of security (roles, re-enabling, unlocking) without a recent re-authentication of the manager.</summary>
    public sealed record ReauthenticationRequired : AdminResult;
}

/// <summary>
/// Users &amp; Teams operations shared by the admin API and the admin pages, so both enforce the same rules. Every
/// operation is scoped to the actor's account and audited with who did what to whom (never a password or token).
/// Messages are in the request's language (<paramref name="text"/>), for the API's problem+json and the pages alike.
/// </summary>
public sealed partial class UserAdministration(
    UserStore users, TeamStore teams, SessionStore sessions, TrustedDeviceStore devices, ResetTokenStore tokens, PasswordResets resets,
    AuditLog audit, TimeProvider clock, AccountChanges.ContactChanges contactChanges,
    IStringLocalizer<AdminApiResource> text)
{
    public static readonly string[] AssignableRoles = [Data.Roles.User, Data.Roles.AccountManager];

    public const int MaxPageSize = 200;

    /// <summary>One page of the actor's account's users; a team of another account matches nobody.</summary>
    public Task<UserListPage> ListAsync(AdminActor actor, UserListQuery query) => users.ListInAccountAsync(actor.AccountId, query, Now);

    public Task<User?> FindAsync(AdminActor actor, Guid id) => users.FindInAccountAsync(actor.AccountId, id);

    public async Task<AdminResult> SendPasswordResetAsync(AdminActor actor, Guid id)
    {
        if (await FindAsync(actor, id) is not { } user)
        {
            return new AdminResult.NotFound();
        }
        if (await resets.SendByAdminAsync(user, actor.UserId, actor.Ip) == ResetMail.Inactive)
        {
            return new AdminResult.Conflict(text["UserDisabledEnableFirst"]);
        }
        return new AdminResult.Done(user);
    }

    /// <summary>Unlocking lifts a protection against guessing, so it is a change of security (sudo mode).</summary>
    public async Task<AdminResult> UnlockAsync(AdminActor actor, Guid id)
    {
        if (!await actor.IsRecentlyAuthenticatedAsync())
        {
            return new AdminResult.ReauthenticationRequired();
        }
        if (!await users.UnlockAsync(actor.AccountId, id, Now))
        {
            return new AdminResult.NotFound();
        }
        await audit.RecordAsync(AuditEvents.Unlocked, actor.AccountId, id, "admin", actor.UserId, actor.Ip);
        return new AdminResult.Done((await FindAsync(actor, id))!);
    }

    public async Task<(AdminResult Result, int Count)> EndSessionsAsync(AdminActor actor, Guid id)
    {
        if (await FindAsync(actor, id) is not { } user)
        {
            return (new AdminResult.NotFound(), 0);
        }
        var ended = await sessions.EndAllAsync(id);
        await audit.RecordAsync(AuditEvents.SessionRevoked, actor.AccountId, id, "admin-ended-all", actor.UserId, actor.Ip);
        return (new AdminResult.Done(user), ended);
    }

    public async Task<(AdminResult Result, int Count)> RevokeDevicesAsync(AdminActor actor, Guid id)
    {
        if (await FindAsync(actor, id) is not { } user)
        {
            return (new AdminResult.NotFound(), 0);
        }
        var revoked = await devices.RevokeAllAsync(id, Now);
        await audit.RecordAsync(AuditEvents.DeviceRevoked, actor.AccountId, id, "admin-revoked-all", actor.UserId, actor.Ip);
        return (new AdminResult.Done(user), revoked);
    }

    /// <summary>Creates the user without a password and sends the invitation with a set-password link (72 h).</summary>
    public async Task<AdminResult> CreateAsync(AdminActor actor, NewUserInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var username = input.Username?.Trim();
        if (username is null || !UsernamePattern().IsMatch(username))
        {
            errors["username"] = [text["Error_Username"]];
        }
        var email = ValidateEmail(input.Email, errors, text);
        var phone = ValidatePhone(input.Phone, errors, text);
        var roles = ValidateRoles(input.Roles ?? [Data.Roles.User], errors, text);
        var language = ValidateLanguage(input.Language ?? PlatformCultures.Default, errors, text);
        if (errors.Count > 0)
        {
            return new AdminResult.Invalid(errors);
        }
        if (roles!.Contains(Data.Roles.AccountManager) && !await actor.IsRecentlyAuthenticatedAsync())
        {
            return new AdminResult.ReauthenticationRequired();
        }
        var id = await users.InsertAsync(new NewUser(actor.AccountId, username!, email!, phone, null, language!, roles!, input.WebAccess ?? true));
        if (id is null)
        {
            return new AdminResult.Conflict(text["UsernameTaken"]);
        }
        var user = (await FindAsync(actor, id.Value))!;
        await audit.RecordAsync(AuditEvents.UserCreated, actor.AccountId, user.Id, $"roles={string.Join('+', roles!)}", actor.UserId, actor.Ip);
        await resets.InviteAsync(user, actor.UserId, actor.Ip);
        return new AdminResult.Done(user);
    }

    /// <summary>
    /// Edits the profile. Disabling ends every session and voids any reset link at once (ASVS 7.4.2); a manager
    /// cannot disable themselves or drop their own Account Manager role (the account would lose its last manager).
    /// </summary>
    public async Task<AdminResult> UpdateAsync(AdminActor actor, Guid id, UserPatch patch)
    {
        if (await FindAsync(actor, id) is not { } user)
        {
            return new AdminResult.NotFound();
        }
        var errors = new Dictionary<string, string[]>();
        var email = patch.Email is null ? user.Email : ValidateEmail(patch.Email, errors, text);
        var phone = patch.Phone is null ? user.Phone : patch.Phone.Trim().Length == 0 ? null : ValidatePhone(patch.Phone, errors, text);
        var roles = patch.Roles is null ? user.Roles : ValidateRoles(patch.Roles, errors, text);
        var language = patch.Language is null ? user.PreferredLanguage : ValidateLanguage(patch.Language, errors, text);
        var status = patch.Status ?? user.Status;
        if (status is not ("active" or "disabled"))
        {
            errors["status"] = [text["Error_Status"]];
        }
        if (errors.Count > 0)
        {
            return new AdminResult.Invalid(errors);
        }
        if (id == actor.UserId && (status == "disabled" || !roles!.Contains(Data.Roles.AccountManager)))
        {
            return new AdminResult.Conflict(text["CannotDemoteSelf"]);
        }
        // A new email or number is not written here: it waits until confirmed from the new address or number, and
        // the user's current email hears of it (issue 11). Removing the number takes effect at once.
        var newEmail = string.Equals(email, user.Email, StringComparison.OrdinalIgnoreCase) ? null : email;
        var newPhone = phone is not null && phone != user.Phone ? phone : null;
        var update = new ProfileUpdate(user.Email, newPhone is null ? phone : user.Phone, roles!, language!, patch.WebAccess ?? user.WebAccess, status);
        if (newEmail is not null)
        {
            await contactChanges.RequestEmailAsync(user, newEmail, actor.UserId, actor.Ip);
        }
        if (newPhone is not null)
        {
            await contactChanges.RequestPhoneByAdminAsync(user, newPhone, actor.UserId, actor.Ip);
        }
        var changed = Changes(user, update);
        if (changed.Count == 0)
        {
            return new AdminResult.Done(user);
        }
        if (ChangesSecurity(user, update) && !await actor.IsRecentlyAuthenticatedAsync())
        {
            return new AdminResult.ReauthenticationRequired();
        }
        if (!await users.UpdateProfileAsync(actor.AccountId, id, update, Now))
        {
            return new AdminResult.NotFound();
        }
        if (update.Status != user.Status)
        {
            if (update.Status == "disabled")
            {
                await tokens.VoidAsync(id);
            }
            await audit.RecordAsync(update.Status == "disabled" ? AuditEvents.UserDisabled : AuditEvents.UserEnabled,
                actor.AccountId, id, null, actor.UserId, actor.Ip);
        }
        // Disabled or no web access: every session ends now (ASVS 7.4.2). Any other change (roles) reaches the live
        // sessions at their next request, as they re-read the user.
        if (EndsSessions(user, update) is { } reason)
        {
            if (await sessions.EndAllAsync(id) > 0)
            {
                await audit.RecordAsync(AuditEvents.SessionRevoked, actor.AccountId, id, reason, actor.UserId, actor.Ip);
            }
        }
        else
        {
            await sessions.UserChangedAsync(id);
        }
        if (changed.Any(c => c != "status"))
        {
            // Field names and non-personal values only; the new email or phone stays out of the log.
            await audit.RecordAsync(AuditEvents.UserUpdated, actor.AccountId, id, string.Join(',', changed.Where(c => c != "status")), actor.UserId, actor.Ip);
        }
        return new AdminResult.Done((await FindAsync(actor, id))!);
    }

    public async Task<AdminResult> SetStatusAsync(AdminActor actor, Guid id, bool enabled) =>
        await UpdateAsync(actor, id, new UserPatch(Status: enabled ? "active" : "disabled"));

    public async Task<AdminResult> SetWebAccessAsync(AdminActor actor, Guid id, bool webAccess) =>
        await UpdateAsync(actor, id, new UserPatch(WebAccess: webAccess));

    public Task<IReadOnlyList<Team>> ListTeamsAsync(AdminActor actor) => teams.ListAsync(actor.AccountId);

    public Task<IReadOnlyList<Team>> TeamsOfAsync(AdminActor actor, Guid userId) => teams.ListOfUserAsync(actor.AccountId, userId);

    public async Task<(Team? Team, Dictionary<string, string[]>? Errors, bool Conflict)> CreateTeamAsync(AdminActor actor, string? name)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > TeamStore.MaxNameLength || name.Any(char.IsControl))
        {
            return (null, new() { ["name"] = [text["Error_TeamName", TeamStore.MaxNameLength]] }, false);
        }
        if (await teams.CreateAsync(actor.AccountId, name) is not { } team)
        {
            return (null, null, true);
        }
        await audit.RecordAsync(AuditEvents.TeamCreated, actor.AccountId, null, $"team={team.Id}", actor.UserId, actor.Ip);
        return (team, null, false);
    }

    public async Task<bool> AddMemberAsync(AdminActor actor, Guid teamId, Guid userId)
    {
        if (!await teams.AddMemberAsync(actor.AccountId, teamId, userId))
        {
            return false;
        }
        await audit.RecordAsync(AuditEvents.TeamMemberAdded, actor.AccountId, userId, $"team={teamId}", actor.UserId, actor.Ip);
        return true;
    }

    public async Task<bool> RemoveMemberAsync(AdminActor actor, Guid teamId, Guid userId)
    {
        if (!await teams.RemoveMemberAsync(actor.AccountId, teamId, userId))
        {
            return false;
        }
        await audit.RecordAsync(AuditEvents.TeamMemberRemoved, actor.AccountId, userId, $"team={teamId}", actor.UserId, actor.Ip);
        return true;
    }

    /// <summary>
    /// Why the change ends the user's sessions, if it does. A demotion in an SSO-enforced account also does: the
    /// password session the Account Manager's break-glass allowed is no longer one this user may have.
    /// </summary>
    private static string? EndsSessions(User user, ProfileUpdate update) =>
        update.Status == "disabled" && user.Status != "disabled" ? "user-disabled"
        : !update.WebAccess && user.WebAccess ? "web-access-withdrawn"
        : user.SsoEnforced && user.IsAccountManager && !update.Roles.Contains(Data.Roles.AccountManager) ? "sso-enforced"
        : null;

    /// <summary>
    /// The profile changes that need the manager's recent re-authentication: granting or taking roles, and re-enabling a
    /// disabled user. Disabling and withdrawing web access only protect, and must stay instant in an incident.
    /// </summary>
    private static bool ChangesSecurity(User user, ProfileUpdate update) =>
        !user.Roles.Order().SequenceEqual(update.Roles.Order()) || (user.Status == "disabled" && update.Status == "active");

    private static List<string> Changes(User user, ProfileUpdate update)
    {
        var changed = new List<string>();
        if (!string.Equals(user.Email, update.Email, StringComparison.Ordinal)) changed.Add("email");
        if (user.Phone != update.Phone) changed.Add("phone");
        if (!user.Roles.Order().SequenceEqual(update.Roles.Order())) changed.Add($"roles={string.Join('+', update.Roles)}");
        if (user.PreferredLanguage != update.PreferredLanguage) changed.Add($"language={update.PreferredLanguage}");
        if (user.WebAccess != update.WebAccess) changed.Add($"webAccess={(update.WebAccess ? "granted" : "withdrawn")}");
        if (user.Status != update.Status) changed.Add("status");
        return changed;
    }

    /// <param name="text">The admin messages in the request's language; without it (the user's own account API) English.</param>
    internal static string? ValidateEmail(string? email, Dictionary<string, string[]> errors, IStringLocalizer<AdminApiResource>? text = null)
    {
        email = email?.Trim();
        if (email is null || email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || !email.Contains('.'))
        {
            errors["email"] = [text?["Error_Email"] ?? "A valid email address is required."];
            return null;
        }
        return email;
    }

    internal static string? ValidatePhone(string? phone, Dictionary<string, string[]> errors, IStringLocalizer<AdminApiResource>? text = null)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }
        if (phone.Length > 32 || !PhoneNumbersE164.TryNormalize(phone, out var e164))
        {
            errors["phone"] = [text?["Error_Phone"] ?? "A valid phone number in international format (+country code) is required."];
            return null;
        }
        return e164;
    }

    private static string[]? ValidateRoles(string[] roles, Dictionary<string, string[]> errors, IStringLocalizer<AdminApiResource> text)
    {
        if (roles.Length is 0 or > 4 || roles.Any(r => !AssignableRoles.Contains(r)))
        {
            errors["roles"] = [text["Error_Roles", string.Join(", ", AssignableRoles)]];
            return null;
        }
        return [.. roles.Distinct()];
    }

    private static string? ValidateLanguage(string language, Dictionary<string, string[]> errors, IStringLocalizer<AdminApiResource> text)
    {
        if (!Cultures.IsSupported(language))
        {
            errors["language"] = [text["Error_Language", string.Join(", ", Cultures.Supported.Select(c => c.Code))]];
            return null;
        }
        return Cultures.Normalize(language);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$")]
    private static partial Regex UsernamePattern();
}
