using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

public sealed record AdminUserView(Guid Id, string Username, string Email, string? Phone, string Language, string[] Roles, bool WebAccess,
    string Status, bool Locked, int FailedAttempts);

public sealed record CreateTeamRequest(string? Name);

public sealed record PasswordResetAccepted(string Delivery);

/// <param name="Removed">The kinds of factor the user had and lost: authenticator, recovery-codes, trusted-devices.</param>
public sealed record SecondFactorsResetView(string[] Removed);

/// <summary>
/// Users &amp; Teams for Account Managers. Every query is scoped to the caller's own account: another account's user
/// id answers 404, the same as an id that does not exist. The rules live in <see cref="UserAdministration"/>, shared
/// with the admin pages.
/// </summary>
public static class AdminUsersApi
{
    public const string Policy = "account-manager";

    public static IEndpointRouteBuilder MapAdminUsersApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Users & Teams").RequireAuthorization(Policy);
        admin.MapGet("/users", ListUsers).WithName("ListUsers");
        admin.MapPost("/users", CreateUser).WithName("CreateUser");
        admin.MapGet("/users/{id:guid}", GetUser).WithName("GetUser");
        admin.MapPatch("/users/{id:guid}", UpdateUser).WithName("UpdateUser");
        admin.MapPost("/users/{id:guid}/password-reset", SendPasswordReset).WithName("SendPasswordReset");
        admin.MapPost("/users/{id:guid}/unlock", Unlock).WithName("UnlockUser");
        admin.MapPost("/users/{id:guid}/sessions/end", EndSessions).WithName("EndUserSessions");
        admin.MapPost("/users/{id:guid}/devices/revoke", RevokeDevices).WithName("RevokeUserDevices");
        admin.MapPost("/users/{id:guid}/second-factors/reset", ResetSecondFactors).WithName("ResetUserSecondFactors")
            .WithSummary("Removes the user's authenticator app, recovery codes and trusted devices, ends their sessions (audited, emailed).")
            .RequireRecentAuthentication();
        admin.MapGet("/teams", ListTeams).WithName("ListTeams");
        admin.MapPost("/teams", CreateTeam).WithName("CreateTeam");
        admin.MapPut("/teams/{id:guid}/members/{userId:guid}", AddMember).WithName("AddTeamMember");
        admin.MapDelete("/teams/{id:guid}/members/{userId:guid}", RemoveMember).WithName("RemoveTeamMember");
        admin.MapPost("/notifications/test", SendTestNotificationToSelf).WithName("SendTestNotification");
        admin.MapGet("/audit", ListAudit).WithName("ListAuditEvents");
        return app;
    }

    public static async Task<Ok<AdminUserView[]>> ListUsers(HttpContext http, UserAdministration admin, TimeProvider clock, string? search, Guid? team,
        int page = 1, int pageSize = 50)
    {
        var list = await admin.ListAsync(AdminActor.Of(http), search, team, page, pageSize);
        return TypedResults.Ok(list.Select(u => View(u, clock)).ToArray());
    }

    public static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> GetUser(Guid id, HttpContext http, UserAdministration admin, TimeProvider clock,
        IStringLocalizer<AdminApiResource> text) =>
        await admin.FindAsync(AdminActor.Of(http), id) is { } user ? TypedResults.Ok(View(user, clock)) : NotFound(text);

    public static async Task<Results<Created<AdminUserView>, ValidationProblem, ProblemHttpResult>> CreateUser(
        NewUserInput request, HttpContext http, UserAdministration admin, TimeProvider clock, IStringLocalizer<AdminApiResource> text) =>
        await admin.CreateAsync(AdminActor.Of(http), request) switch
        {
            AdminResult.Done done => TypedResults.Created($"/api/admin/users/{done.User.Id}", View(done.User, clock)),
            AdminResult.Invalid invalid => Invalid(invalid.Errors, text),
            AdminResult.Conflict conflict => Conflict(conflict.Title),
            AdminResult.ReauthenticationRequired => RecentAuthenticationEndpoints.Problem(http),
            _ => throw new InvalidOperationException("Unexpected result."),
        };

    public static async Task<Results<Ok<AdminUserView>, ProblemHttpResult, ValidationProblem>> UpdateUser(
        Guid id, UserPatch request, HttpContext http, UserAdministration admin, TimeProvider clock, IStringLocalizer<AdminApiResource> text) =>
        await admin.UpdateAsync(AdminActor.Of(http), id, request) switch
        {
            AdminResult.Done done => TypedResults.Ok(View(done.User, clock)),
            AdminResult.Invalid invalid => Invalid(invalid.Errors, text),
            AdminResult.Conflict conflict => Conflict(conflict.Title),
            AdminResult.ReauthenticationRequired => RecentAuthenticationEndpoints.Problem(http),
            _ => NotFound(text),
        };

    /// <summary>Sends the user the reset email; the answer carries neither the link nor a password (ASVS 6.4.6).</summary>
    public static async Task<Results<Accepted<PasswordResetAccepted>, ProblemHttpResult>> SendPasswordReset(
        Guid id, HttpContext http, UserAdministration admin, IStringLocalizer<AdminApiResource> text) =>
        await admin.SendPasswordResetAsync(AdminActor.Of(http), id) switch
        {
            AdminResult.Done => TypedResults.Accepted((string?)null, new PasswordResetAccepted("email")),
            AdminResult.Conflict conflict => Conflict(conflict.Title),
            _ => NotFound(text),
        };

    public static async Task<Results<NoContent, ProblemHttpResult>> Unlock(Guid id, HttpContext http, UserAdministration admin,
        IStringLocalizer<AdminApiResource> text) =>
        await admin.UnlockAsync(AdminActor.Of(http), id) switch
        {
            AdminResult.Done => TypedResults.NoContent(),
            AdminResult.ReauthenticationRequired => RecentAuthenticationEndpoints.Problem(http),
            _ => NotFound(text),
        };

    public static async Task<Results<Ok<SecondFactorsResetView>, ProblemHttpResult>> ResetSecondFactors(Guid id, HttpContext http, SecondFactorReset reset,
        IStringLocalizer<AdminApiResource> text) =>
        await reset.ResetAsync(AdminActor.Of(http), id) is { } removed ? TypedResults.Ok(new SecondFactorsResetView([.. removed])) : NotFound(text);

    public static async Task<Results<Ok<int>, ProblemHttpResult>> EndSessions(Guid id, HttpContext http, UserAdministration admin,
        IStringLocalizer<AdminApiResource> text) =>
        await admin.EndSessionsAsync(AdminActor.Of(http), id) is (AdminResult.Done, var ended) ? TypedResults.Ok(ended) : NotFound(text);

    public static async Task<Results<Ok<int>, ProblemHttpResult>> RevokeDevices(Guid id, HttpContext http, UserAdministration admin,
        IStringLocalizer<AdminApiResource> text) =>
        await admin.RevokeDevicesAsync(AdminActor.Of(http), id) is (AdminResult.Done, var revoked) ? TypedResults.Ok(revoked) : NotFound(text);

    public static async Task<Ok<Team[]>> ListTeams(HttpContext http, UserAdministration admin) =>
        TypedResults.Ok((await admin.ListTeamsAsync(AdminActor.Of(http))).ToArray());

    public static async Task<Results<Created<Team>, ValidationProblem, ProblemHttpResult>> CreateTeam(
        CreateTeamRequest request, HttpContext http, UserAdministration admin, IStringLocalizer<AdminApiResource> text)
    {
        var (team, errors, _) = await admin.CreateTeamAsync(AdminActor.Of(http), request.Name);
        return team is not null ? TypedResults.Created($"/api/admin/teams/{team.Id}", team)
            : errors is not null ? Invalid(errors, text)
            : Conflict(text["TeamExists"]);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> AddMember(Guid id, Guid userId, HttpContext http, UserAdministration admin,
        IStringLocalizer<AdminApiResource> text) =>
        await admin.AddMemberAsync(AdminActor.Of(http), id, userId) ? TypedResults.NoContent() : NotFound(text, "TeamOrUserNotFound");

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveMember(Guid id, Guid userId, HttpContext http, UserAdministration admin,
        IStringLocalizer<AdminApiResource> text) =>
        await admin.RemoveMemberAsync(AdminActor.Of(http), id, userId) ? TypedResults.NoContent() : NotFound(text, "TeamMemberNotFound");

    /// <summary>The account's security events, newest first. <c>limit</c> is the older name of <c>pageSize</c>.</summary>
    public static async Task<Results<Ok<AuditEvent[]>, ValidationProblem>> ListAudit(HttpContext http, AuditLog audit, IStringLocalizer<AdminApiResource> text,
        Guid? userId, string? type, DateTimeOffset? from, DateTimeOffset? to, int page = 1, int? pageSize = null, int? limit = null)
    {
        if (type is { Length: > 64 } || (from > to))
        {
            return Invalid(new Dictionary<string, string[]> { ["filter"] = [text["Error_AuditFilter"]] }, text);
        }
        var size = Math.Clamp(pageSize ?? limit ?? 100, 1, 1000);
        page = Math.Clamp(page, 1, 100_000);
        var events = await audit.ListAsync(new AuditQuery(AdminActor.Of(http).AccountId, userId, string.IsNullOrWhiteSpace(type) ? null : type.Trim(),
            from?.UtcDateTime, to?.UtcDateTime, (page - 1) * size, size));
        return TypedResults.Ok(events.ToArray());
    }

    // TypedResults.Problem, not NotFound(new ProblemDetails()): only the former answers application/problem+json.
    /// <summary>An Account Manager checks delivery with a message to their own address or phone, never to any number.</summary>
    public static async Task<Results<Accepted<TestNotificationAccepted>, ProblemHttpResult>> SendTestNotificationToSelf(
        string? channel, HttpContext http, UserStore users, MassTransit.IPublishEndpoint publisher, IStringLocalizer<AdminApiResource> text, CancellationToken ct)
    {
        var me = await users.FindByIdAsync(Sessions.SessionClaims.UserIdOf(http.User));
        var to = channel == "sms" ? me?.Phone : me?.Email;
        if (to is null)
        {
            return TypedResults.Problem(title: text["NoDestination"], detail: text["NoPhoneForTest"], statusCode: 400);
        }
        return await OpsApi.PublishTestAsync(channel, to, publisher, ct);
    }

    private static ProblemHttpResult NotFound(IStringLocalizer<AdminApiResource> text, string titleKey = "UserNotFound") =>
        TypedResults.Problem(title: text[titleKey], statusCode: StatusCodes.Status404NotFound);

    /// <summary>A validation problem whose title is in the request's language, like its errors.</summary>
    internal static ValidationProblem Invalid(IDictionary<string, string[]> errors, IStringLocalizer<AdminApiResource> text) =>
        TypedResults.ValidationProblem(errors, title: text["Validation_Title"]);

    private static ProblemHttpResult Conflict(string title) =>
        TypedResults.Problem(title: title, statusCode: StatusCodes.Status409Conflict);

    internal static AdminUserView View(User u, TimeProvider clock) =>
        new(u.Id, u.Username, u.Email, u.Phone, u.PreferredLanguage, u.Roles, u.WebAccess, u.Status,
            u.LockedUntil > clock.GetUtcNow().UtcDateTime, u.FailedAttempts);
}
