using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Sessions;
using AccessPlatform.Login.Sso;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Login.Apis;

/// <summary>
/// The bridge from Sso.Api: under <c>/internal/sso</c> (never routed by the gateway, and only with the shared
/// service key) Sso.Api hands over validated SAML identities and gets a one-time code; the browser then redeems the
/// code at <c>/login/sso/complete</c> for the ordinary session cookie. Only this service issues sessions.
/// </summary>
public static partial class SsoBridgeApi
{
    public static IEndpointRouteBuilder MapSsoBridgeApi(this IEndpointRouteBuilder app)
    {
        var internalSso = app.MapInternalGroup(SsoBridge.RoutePrefix).WithTags("SSO bridge");
        internalSso.MapPost(SsoBridge.LoginsRoute, IssueLoginCode).WithName("IssueSsoLoginCode");
        internalSso.MapPost(SsoBridge.RefusalsRoute, RecordRefusal).WithName("RecordSsoRefusal");
        internalSso.MapPost(SsoBridge.TestSignInsRoute, TestSignIn).WithName("TestSsoSignIn")
            .WithSummary("A test sign-in: which user the identity would sign in as, by the same rules, with nothing linked or created; audited as a test.");
        internalSso.MapGet(SsoBridge.AccountRoute, GetAccount).WithName("GetSsoAccount");
        internalSso.MapPut(SsoBridge.SsoEnforcedRoute, SetEnforced).WithName("SetSsoEnforced");
        internalSso.MapPost(SsoBridge.SettingsChangesRoute, RecordSettingsChange).WithName("RecordSsoSettingsChange")
            .WithSummary("Audits an SSO settings change with its diff and emails every Account Manager of the account.");
        internalSso.MapPost(SsoBridge.LogoutTicketRoute, RedeemLogoutTicket).WithName("RedeemSsoLogoutTicket")
            .WithSummary("Redeems (once) the logout ticket of an SSO session that just ended: the IdP identity for the LogoutRequest.");
        internalSso.MapPost(SsoBridge.LogoutsRoute, EndIdentitySessions).WithName("EndSsoIdentitySessions")
            .WithSummary("IdP-initiated single logout: ends every session of the IdP identity (of the given SessionIndexes), audited.");
        internalSso.MapPost(SsoBridge.LogoutEventsRoute, RecordLogoutEvent).WithName("RecordSsoLogoutEvent")
            .WithSummary("Audits a single logout event Sso.Api saw: a LogoutRequest sent, a LogoutResponse received, a refused message.");

        app.MapGet(SsoBridge.CompletePath, Complete).WithTags("SSO bridge").WithName("CompleteSsoLogin").ProducesProblemTypes(400, "sso-code-invalid").ProducesProblemTypes(403, "sso-refused")
            .WithSummary("Where Sso.Api sends the browser after a valid SAML response: redeems the one-time code (bound to this browser) for a session.");
        return app;
    }

    public static async Task<Results<Ok<SsoLoginIssued>, ProblemHttpResult, ValidationProblem>> IssueLoginCode(
        SsoLoginRequest request, SsoSignIn signIn, SsoCodes codes)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }
        var identity = new SsoIdentity(request.IdpEntityId!, request.NameId!, Blank(request.Email), Blank(request.GivenName), Blank(request.FamilyName),
            Blank(request.NameIdFormat));
        // Kept with the session for single logout; the values are never logged.
        var origin = new SsoSessionOrigin(identity.IdpEntityId, identity.NameId, identity.NameIdFormat, Blank(request.SessionIndex));
        var result = await signIn.ResolveAsync(request.Account!, identity,
            new SsoLinkPolicy(request.JitProvisioning, request.LinkExistingUsersByEmail), request.Ip);
        switch (result)
        {
            case SsoSignInResult.Accepted { User: var user }:
                return TypedResults.Ok(new SsoLoginIssued(
                    await codes.IssueAsync(new SsoCodeGrant(user.Id, user.AccountId, request.ReturnPath!, request.BrowserBindingHash!,
                        request.SessionNotOnOrAfter, Origin: origin)), user.Id));
            case SsoSignInResult.LinkRequired { User: var user }:
                // The same one-time code, bound to the same browser; it opens the link page instead of a session.
                return TypedResults.Ok(new SsoLoginIssued(
                    await codes.IssueAsync(new SsoCodeGrant(user.Id, user.AccountId, request.ReturnPath!, request.BrowserBindingHash!,
                        request.SessionNotOnOrAfter, identity, origin)), user.Id));
            default:
                return TypedResults.Problem(title: "SSO login refused", statusCode: StatusCodes.Status403Forbidden,
                    type: "https://access-platform/problems/sso-refused",
                    extensions: new Dictionary<string, object?> { ["reason"] = ((SsoSignInResult.Refused)result).Reason });
        }
    }

    public static async Task<Results<Ok<SsoTestSignInResult>, ValidationProblem, ProblemHttpResult>> TestSignIn(
        SsoTestSignInRequest request, SsoSignIn signIn, SsoLinkStore links, UserStore users, AuditLog audit)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Account is null || !SsoBridge.AccountKey().IsMatch(request.Account))
        {
            errors["account"] = ["An account key is required."];
        }
        if ((request.SamlFailure is null) == (request.Login is null) || (request.SamlFailure is not null && !ReasonCode().IsMatch(request.SamlFailure)))
        {
            errors["samlFailure"] = ["Either the validated login or a SAML failure reason code (lowercase letters, digits and dashes)."];
        }
        if (request.Ip is not null && !IPAddress.TryParse(request.Ip, out _))
        {
            errors["ip"] = ["Not an IP address."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (request.Login is { } login)
        {
            if (Validate(login) is { } invalid)
            {
                return invalid;
            }
            if (login.Account != request.Account)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["login.account"] = ["Must be the test's account."] });
            }
        }
        // Only an Account Manager of the account may test it (Sso.Api checked the session; this checks again).
        if (await links.FindAccountAsync(request.Account!) is not { } account
            || await users.FindInAccountAsync(account.Id, request.TesterId) is not { IsAccountManager: true } tester)
        {
            return TypedResults.Problem(title: "Account or Account Manager not found", statusCode: StatusCodes.Status404NotFound);
        }
        if (request.Login is not { } l)
        {
            await audit.RecordAsync(SsoAuditEvents.TestSignIn, account.Id, null, "refused:" + request.SamlFailure, tester.Id, request.Ip);
            return TypedResults.Ok(new SsoTestSignInResult("refused", request.SamlFailure, null, null));
        }
        var identity = new SsoIdentity(l.IdpEntityId!, l.NameId!, Blank(l.Email), Blank(l.GivenName), Blank(l.FamilyName), Blank(l.NameIdFormat));
        var result = await signIn.PreviewAsync(account.Key, identity, new SsoLinkPolicy(l.JitProvisioning, l.LinkExistingUsersByEmail), tester.Id, request.Ip);
        return TypedResults.Ok(result switch
        {
            SsoSignInResult.Accepted a => new SsoTestSignInResult(a.How, null, a.User.Id, a.User.Username),
            SsoSignInResult.LinkRequired r => new SsoTestSignInResult("link-required", null, r.User.Id, r.User.Username),
            SsoSignInResult.WouldProvision => new SsoTestSignInResult(SsoLinkOrigin.Jit, null, null, null),
            SsoSignInResult.Refused r => new SsoTestSignInResult("refused", r.Reason, r.UserId,
                r.UserId is { } id ? (await users.FindInAccountAsync(account.Id, id))?.Username : null),
            _ => throw new InvalidOperationException("Unknown outcome."),
        });
    }

    public static async Task<Results<NoContent, ValidationProblem>> RecordRefusal(SsoRefusalReport report, SsoLinkStore links, AuditLog audit)
    {
        var errors = new Dictionary<string, string[]>();
        if (report.Account is null || !SsoBridge.AccountKey().IsMatch(report.Account))
        {
            errors["account"] = ["An account key is required."];
        }
        ValidateReasonAndIp(errors, report.Reason, report.Ip);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var account = await links.FindAccountAsync(report.Account!);
        await audit.RecordAsync(SsoAuditEvents.Refused, account?.Id, null, report.Reason, ip: report.Ip);
        return TypedResults.NoContent();
    }

    /// <summary>What every report Sso.Api sends for the audit carries: a reason code, and the client's address when known.</summary>
    private static void ValidateReasonAndIp(Dictionary<string, string[]> errors, string? reason, string? ip)
    {
        if (reason is null || !ReasonCode().IsMatch(reason))
        {
            errors["reason"] = ["A reason code (lowercase letters, digits and dashes) is required."];
        }
        if (ip is not null && !IPAddress.TryParse(ip, out _))
        {
            errors["ip"] = ["Not an IP address."];
        }
    }

    public static async Task<Results<Ok<SsoAccountView>, ProblemHttpResult>> GetAccount(string key, SsoLinkStore links) =>
        await links.FindAccountAsync(key) is { } account
            ? TypedResults.Ok(new SsoAccountView(account.Key, account.SsoEnforced))
            : TypedResults.Problem(title: "Account not found", statusCode: StatusCodes.Status404NotFound);

    /// <summary>Turning enforcement on ends the password sessions of the account's users at once (not those of its Account Managers).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> SetEnforced(string key, SsoEnforcement body, SsoLinkStore links,
        SsoEnforcementRevocation revocation, AuditLog audit)
    {
        if (await links.FindAccountAsync(key) is not { } account || !await links.SetSsoEnforcedAsync(key, body.Enforced))
        {
            return TypedResults.Problem(title: "Account not found", statusCode: StatusCodes.Status404NotFound);
        }
        if (body.Enforced != account.SsoEnforced)
        {
            await audit.RecordAsync(SsoAuditEvents.EnforcementChanged, account.Id, null, body.Enforced ? "enforced" : "not-enforced",
                body.ActorId, body.Ip is not null && IPAddress.TryParse(body.Ip, out _) ? body.Ip : null);
        }
        // Sso.Api sends the flag with every settings save: only the change to enforced ends sessions.
        if (body.Enforced && !account.SsoEnforced)
        {
            await revocation.EndPasswordSessionsAsync(account.Id);
        }
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Audits the change (before Sso.Api saves it: no unaudited change) with the Account Manager who made it, and
    /// emails every Account Manager of the account, so a rogue or demoted one cannot swap the IdP unnoticed.
    /// </summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RecordSettingsChange(string key, SsoSettingsChange change,
        SsoLinkStore links, UserStore users, AuditLog audit, SsoLinkNotifier notifier)
    {
        var errors = new Dictionary<string, string[]>();
        if (change.Changes is not { Length: > 0 and <= 32 } lines || lines.Any(l => l is null || l.Length is 0 or > 4200 || l.Any(char.IsControl)))
        {
            errors["changes"] = ["One to 32 lines of at most 4200 characters, no control characters."];
        }
        if (change.Ip is not null && !IPAddress.TryParse(change.Ip, out _))
        {
            errors["ip"] = ["Not an IP address."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!SsoBridge.AccountKey().IsMatch(key) || await links.FindAccountAsync(key) is not { } account)
        {
            return TypedResults.Problem(title: "Account or Account Manager not found", statusCode: StatusCodes.Status404NotFound);
        }
        // A metadata refresh has no person behind it: audited without actor, with the reason saying where it came from.
        User? actor = null;
        if (!change.MetadataRefresh)
        {
            actor = await users.FindInAccountAsync(account.Id, change.ActorId);
            if (actor is not { IsAccountManager: true })
            {
                return TypedResults.Problem(title: "Account or Account Manager not found", statusCode: StatusCodes.Status404NotFound);
            }
        }
        var reason = string.Join("; ", change.Changes!);
        await audit.RecordAsync(SsoAuditEvents.SettingsChanged, account.Id, null, actor is null ? "IdP metadata refresh: " + reason : reason, actor?.Id, change.Ip);
        foreach (var managerId in await links.AccountManagersAsync(account.Id))
        {
            if (await users.FindInAccountAsync(account.Id, managerId) is { } manager)
            {
                await notifier.SendSettingsChangedAsync(manager, actor?.Username ?? SsoLinkNotifier.MetadataRefreshActor, change.Changes!);
            }
        }
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Redeems the one-time code in the browser that Sso.Api bound it to, and starts the ordinary session.
    /// The user is read again, so a user disabled in the last seconds does not get in.
    /// </summary>
    public static async Task<Results<RedirectHttpResult, ProblemHttpResult>> Complete(
        string? code, HttpContext http, SsoCodes codes, UserStore users, LoginFlow flow, SessionCookie cookie, AuditLog audit, IHostEnvironment environment)
    {
        var bindingCookie = SsoBridge.BindingCookieName(environment.IsDevelopment());
        var binding = http.Request.Cookies[bindingCookie];
        http.Response.Cookies.Delete(bindingCookie, new CookieOptions { Path = "/", Secure = !environment.IsDevelopment(), HttpOnly = true });
        var grant = await codes.RedeemAsync(code);
        var context = LoginContext.From(http);
        if (grant is null || binding is null || !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(SsoBridge.BindingHash(binding)), Encoding.ASCII.GetBytes(grant.BrowserBindingHash)))
        {
            // Only a real code used without its browser binding is worth an audit row; random guesses are not.
            if (grant is not null)
            {
                await audit.RecordAsync(SsoAuditEvents.Refused, grant.AccountId, grant.UserId, SsoRefusal.CodeInvalid, ip: context.Ip);
            }
            return TypedResults.Problem(title: "This sign-in link is invalid or has expired. Please start again.",
                statusCode: StatusCodes.Status400BadRequest, type: "https://access-platform/problems/sso-code-invalid");
        }
        // The user is read again and goes through the flow's access rules, like every login.
        var user = await users.FindInAccountAsync(grant.AccountId, grant.UserId);
        if (user is not null && grant.Link is { } link)
        {
            // No session yet: the link page asks for the password, then the second factor, then stores the link.
            if (await flow.StartSsoLinkAsync(user, link, http, grant.Origin) is LoginOutcome.PasswordRequired pending)
            {
                http.Response.Cookies.Append(Pages.LoginCodeModel.FlowCookie, pending.FlowId, Pages.LoginCodeModel.FlowCookieOptions(environment));
                return TypedResults.Redirect("/login/sso/link?returnUrl=" + Uri.EscapeDataString(SsoBridge.IsLocalPath(grant.ReturnPath) ? grant.ReturnPath : "/"));
            }
            return TypedResults.Problem(title: "Sign-in is not possible for this user.", statusCode: StatusCodes.Status403Forbidden,
                type: "https://access-platform/problems/sso-refused");
        }
        var outcome = user is null ? new LoginOutcome.InvalidCredentials() : await flow.StartSsoAsync(user, http, grant.SessionNotOnOrAfter, grant.Origin);
        if (outcome is not LoginOutcome.SignedIn signedIn)
        {
            await audit.RecordAsync(SsoAuditEvents.Refused, grant.AccountId, grant.UserId,
                outcome is LoginOutcome.NoWebAccess ? SsoRefusal.NoWebAccess : SsoRefusal.UserDisabled, ip: context.Ip);
            return TypedResults.Problem(title: "Sign-in is not possible for this user.", statusCode: StatusCodes.Status403Forbidden,
                type: "https://access-platform/problems/sso-refused");
        }
        http.Response.Cookies.Append(cookie.Name, signedIn.SecretId, cookie.Options);
        return TypedResults.Redirect(SsoBridge.IsLocalPath(grant.ReturnPath) ? grant.ReturnPath : "/");
    }

    public static async Task<Results<Ok<SsoLogoutTicket>, NotFound>> RedeemLogoutTicket(string ticket, SsoLogoutTickets tickets) =>
        await tickets.RedeemAsync(ticket) is { } redeemed ? TypedResults.Ok(redeemed) : TypedResults.NotFound();

    /// <summary>
    /// Ends every live session of the account signed in with this IdP identity, whichever user it belongs to (a
    /// removed link does not keep a session alive), and audits how many.
    /// </summary>
    public static async Task<Results<Ok<SsoIdpLogoutResult>, ValidationProblem, ProblemHttpResult>> EndIdentitySessions(SsoIdpLogout request,
        SsoLinkStore links, SessionStore sessions, AuditLog audit)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Account is null || !SsoBridge.AccountKey().IsMatch(request.Account))
        {
            errors["account"] = ["An account key is required."];
        }
        Require(errors, "idpEntityId", request.IdpEntityId, 1024);
        Require(errors, "nameId", request.NameId, 1024);
        if (request.SessionIndexes is { } indexes && (indexes.Length > 32 || indexes.Any(i => string.IsNullOrWhiteSpace(i) || i.Length > 256 || i.Any(char.IsControl))))
        {
            errors["sessionIndexes"] = ["At most 32 session indexes of at most 256 characters."];
        }
        if (request.Ip is not null && !IPAddress.TryParse(request.Ip, out _))
        {
            errors["ip"] = ["Not an IP address."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await links.FindAccountAsync(request.Account!) is not { } account)
        {
            return TypedResults.Problem(title: "Account not found", statusCode: StatusCodes.Status404NotFound);
        }
        var ended = await sessions.EndSsoIdentityAsync(account.Id, request.IdpEntityId!, request.NameId!, request.SessionIndexes ?? []);
        foreach (var userId in ended)
        {
            // Like every other end of a session: the user's audit shows which one ended and why.
            await audit.RecordAsync(AuditEvents.SessionRevoked, account.Id, userId, "sso-logout", ip: request.Ip);
        }
        await audit.RecordAsync(SsoAuditEvents.SloIdpInitiated, account.Id, ended.Distinct().Count() == 1 ? ended[0] : null,
            $"sessions-ended-{ended.Count}", ip: request.Ip);
        return TypedResults.Ok(new SsoIdpLogoutResult(ended.Count));
    }

    public static async Task<Results<NoContent, ValidationProblem>> RecordLogoutEvent(SsoLogoutEvent report, SsoLinkStore links, AuditLog audit)
    {
        var errors = new Dictionary<string, string[]>();
        if (report.Account is null || !SsoBridge.AccountKey().IsMatch(report.Account))
        {
            errors["account"] = ["An account key is required."];
        }
        var type = report.Event switch
        {
            "sent" => SsoAuditEvents.SloSent,
            "completed" => SsoAuditEvents.SloCompleted,
            "refused" => SsoAuditEvents.SloRefused,
            _ => null,
        };
        if (type is null)
        {
            errors["event"] = ["One of sent, completed, refused."];
        }
        ValidateReasonAndIp(errors, report.Reason, report.Ip);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var account = await links.FindAccountAsync(report.Account!);
        await audit.RecordAsync(type!, account?.Id, account is null ? null : report.UserId, report.Reason, ip: report.Ip);
        return TypedResults.NoContent();
    }

    private static ValidationProblem? Validate(SsoLoginRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.Account is null || !SsoBridge.AccountKey().IsMatch(r.Account))
        {
            errors["account"] = ["An account key is required."];
        }
        Require(errors, "idpEntityId", r.IdpEntityId, 1024);
        Require(errors, "nameId", r.NameId, 1024);
        Optional(errors, "email", r.Email, 320);
        if (!string.IsNullOrWhiteSpace(r.Email) && !r.Email.Contains('@'))
        {
            errors["email"] = ["Not an email address."];
        }
        Optional(errors, "givenName", r.GivenName, 256);
        Optional(errors, "familyName", r.FamilyName, 256);
        Optional(errors, "nameIdFormat", r.NameIdFormat, 256);
        Optional(errors, "sessionIndex", r.SessionIndex, 256);
        if (!SsoBridge.IsLocalPath(r.ReturnPath))
        {
            errors["returnPath"] = ["A local path is required."];
        }
        if (r.BrowserBindingHash is not { Length: 43 })
        {
            errors["browserBindingHash"] = ["The SHA-256 of the browser binding, base64url, is required."];
        }
        if (r.Ip is not null && !IPAddress.TryParse(r.Ip, out _))
        {
            errors["ip"] = ["Not an IP address."];
        }
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }

    private static void Require(Dictionary<string, string[]> errors, string name, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[name] = ["Required."];
        }
        else
        {
            Optional(errors, name, value, max);
        }
    }

    private static void Optional(Dictionary<string, string[]> errors, string name, string? value, int max)
    {
        if (value is not null && (value.Length > max || value.Any(char.IsControl)))
        {
            errors[name] = [$"At most {max} characters, no control characters."];
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[a-z0-9-]{1,64}$")]
    private static partial Regex ReasonCode();
}
