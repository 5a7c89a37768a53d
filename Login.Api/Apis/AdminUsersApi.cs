using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Apis;

public sealed record AdminUserView(Guid Id, string Username, string Email, string? Phone, string Language, string[] Roles, bool WebAccess,
    string Status, bool Locked, int FailedAttempts, string? GivenName, string? FamilyName, DateTime CreatedAt, AdminLastSignIn? LastSignIn);

/// <summary>The user's last successful sign-in: when, how (password, passkey, sso) and the device's label.</summary>
public sealed record AdminLastSignIn(DateTime At, string Method, string? Device);

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
        admin.MapGet("/users", ListUsers).WithName("ListUsers")
            .WithSummary("Lists the account's users: prefix search, filters, sort and paging; X-Total-Count says how many match.");
        admin.MapPost("/users", CreateUser).WithName("CreateUser")
            .WithSummary("Creates a user in the caller's account and emails them an invitation to set a password.");
        admin.MapGet("/users/{id:guid}", GetUser).WithName("GetUser").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One user of the caller's account.");
        admin.MapPatch("/users/{id:guid}", UpdateUser).WithName("UpdateUser").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Changes a user's profile, roles, web access or status; a new email or phone waits for the user's confirmation.");
        admin.MapPost("/users/{id:guid}/password-reset", SendPasswordReset).WithName("SendPasswordReset").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Emails the user a password reset link.");
        admin.MapPost("/users/{id:guid}/unlock", Unlock).WithName("UnlockUser").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Ends a lockout and clears the failed attempts.");
        admin.MapPost("/users/{id:guid}/sessions/end", EndSessions).WithName("EndUserSessions").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Ends every session of the user; answers how many ended.");
        admin.MapPost("/users/{id:guid}/devices/revoke", RevokeDevices).WithName("RevokeUserDevices").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Ends the trust of every device of the user; answers how many.");
        admin.MapPost("/users/{id:guid}/second-factors/reset", ResetSecondFactors).WithName("ResetUserSecondFactors").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Removes the user's authenticator app, recovery codes and trusted devices, ends their sessions (audited, emailed).")
            .RequireRecentAuthentication();
        admin.MapGet("/teams", ListTeams).WithName("ListTeams").WithSummary("The account's teams.");
        admin.MapPost("/teams", CreateTeam).WithName("CreateTeam").WithSummary("Creates a team.");
        admin.MapPut("/teams/{id:guid}/members/{userId:guid}", AddMember).WithName("AddTeamMember").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Adds a user to a team.");
        admin.MapDelete("/teams/{id:guid}/members/{userId:guid}", RemoveMember).WithName("RemoveTeamMember").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Removes a user from a team.");
        admin.MapPost("/notifications/test", SendTestNotificationToSelf).WithName("SendTestNotification")
            .WithSummary("Sends a test email (or ?channel=sms a test SMS) to the caller's own address or phone.");
        admin.MapGet("/audit", ListAudit).WithName("ListAuditEvents")
            .WithSummary("The account's security events, newest first, filtered by user, type and time range.");
        admin.MapGet("/audit/export", ExportAudit).WithName("ExportAuditEvents")
            .WithSummary($"Downloads the filtered audit events as CSV (newest first, at most 10,000 rows, with trace ids); the export is audited.");
        return app;
    }

    /// <summary>
    /// One page of users, ordered; <c>search</c> is a case-insensitive prefix of the username, email, given or family
    /// name. An unknown value of any parameter is a 400 naming it, never silently ignored.
    /// </summary>
    public static async Task<Results<Ok<AdminUserView[]>, ValidationProblem>> ListUsers(HttpContext http, UserAdministration admin, TimeProvider clock,
        string? search, string? role, string? status, bool? locked, bool? webAccess, Guid? team, string? sort, string? direction,
        int? page, int? pageSize)
    {
        var (query, errors) = UserListQuery.TryParse(search, role, status, locked, webAccess, team, sort, direction, page, pageSize, defaultPageSize: 50);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var list = await admin.ListAsync(AdminActor.Of(http), query);
        http.Response.Headers[TotalCountHeader] = list.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Ok(list.Items.Select(u => View(u, clock)).ToArray());
    }

    /// <summary>How many users match the list's query in all pages.</summary>
    public const string TotalCountHeader = "X-Total-Count";

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

    /// <summary>
    /// The events <see cref="ListAudit"/> would list with the same filters, streamed as CSV while they are read and capped
    /// at <see cref="AuditCsv.MaxRows"/> (the last line says so). The export itself is an audit event, with the row count.
    /// </summary>
    public static async Task<Results<PushStreamHttpResult, ValidationProblem>> ExportAudit(HttpContext http, AuditLog audit, UserAdministration admin,
        TimeProvider clock, Guid? userId, string? type, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (type is { Length: > 64 } || (from > to))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["filter"] = ["type is at most 64 characters; from must not be after to."] });
        }
        var actor = AdminActor.Of(http);
        // The export's own audit row names the filtered user only when it is one of this account's: another account's
        // id must not land in this account's log (it exports nothing either way).
        var auditedUser = userId is { } id && await admin.FindAsync(actor, id) is not null ? userId : null;
        // One row past the cap tells that the export was capped.
        var query = new AuditQuery(actor.AccountId, userId, string.IsNullOrWhiteSpace(type) ? null : type.Trim(), from?.UtcDateTime, to?.UtcDateTime,
            0, AuditCsv.MaxRows + 1);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Stream(async body =>
        {
            var rows = 0;
            var capped = false;
            try
            {
                await body.WriteAsync(System.Text.Encoding.UTF8.Preamble.ToArray());
                await using var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true);
                await writer.WriteAsync(AuditCsv.Header);
                await foreach (var row in audit.ExportAsync(query, http.RequestAborted))
                {
                    if (rows == AuditCsv.MaxRows)
                    {
                        capped = true;
                        await writer.WriteAsync(AuditCsv.CappedNote);
                        break;
                    }
                    await writer.WriteAsync(AuditCsv.Row(row));
                    rows++;
                }
            }
            finally
            {
                // Recorded even when the download broke off: the rows written so far left the platform.
                await audit.RecordAsync(AuditEvents.AuditExported, actor.AccountId, auditedUser, capped ? $"rows={rows},capped" : $"rows={rows}", actor.UserId, actor.Ip);
            }
        }, "text/csv; charset=utf-8", $"audit-{clock.GetUtcNow().UtcDateTime:yyyyMMdd-HHmmss}Z.csv");
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
            u.LockedUntil > clock.GetUtcNow().UtcDateTime, u.FailedAttempts, u.GivenName, u.FamilyName, u.CreatedAt,
            u.LastLoginAt is { } at ? new AdminLastSignIn(at, u.LastLoginMethod ?? "password", u.LastLoginDevice) : null);
}
