using AccessPlatform.Contracts;
using AccessPlatform.Sso.Data;
using Microsoft.Extensions.Options;
using Sso.Api.Saml;

namespace AccessPlatform.Sso.Login;

/// <summary>
/// Single logout (SAML profiles §4.4) of an account: <c>/logout</c> continues a platform sign-out of an SSO session to
/// the IdP (SP-initiated, a signed LogoutRequest by HTTP-Redirect), and <c>/slo</c> is the account's
/// SingleLogoutService (HTTP-Redirect and HTTP-POST): the IdP's LogoutResponse to our request, or the IdP's own
/// LogoutRequest, which ends every platform session of that identity and is answered with a signed LogoutResponse.
/// </summary>
public static partial class SamlLogoutApi
{
    public static RouteGroupBuilder MapSamlLogoutApi(this RouteGroupBuilder saml)
    {
        saml.MapGet("/logout", StartLogout).WithName("StartSamlLogout")
            .WithSummary("After Login.Api ended an SSO session: sends the browser to the IdP with a signed LogoutRequest, if the IdP takes single logout.");
        saml.MapGet("/slo", SingleLogoutRedirect).WithName("SamlSingleLogoutRedirect")
            .WithSummary("SingleLogoutService, HTTP-Redirect binding: the IdP's LogoutResponse or LogoutRequest.");
        saml.MapPost("/slo", SingleLogoutPost).WithName("SamlSingleLogoutPost").DisableAntiforgery()
            .WithSummary("SingleLogoutService, HTTP-POST binding: the IdP's LogoutResponse or LogoutRequest.");
        return saml;
    }

    private const string SignedOutPath = "/login?signedOut=true";

    /// <summary>
    /// The platform session has already ended (Login.Api did that first); this only tells the IdP. Every case where
    /// that is not possible (no ticket, no SLO at the IdP, another IdP by now) lands on the ordinary signed-out page.
    /// </summary>
    public static async Task<IResult> StartLogout(string account, string? ticket, HttpContext http, SsoConnectionStore store, SpSigningKeys spKeys,
        SamlState state, LoginApiBridge loginApi, IOptions<SsoOptions> options, TimeProvider clock)
    {
        if (!SsoBridge.AccountKey().IsMatch(account) || ticket is not { Length: 43 }
            || await loginApi.RedeemLogoutTicketAsync(ticket, http.RequestAborted) is not { } origin || origin.Account != account
            || await store.FindAsync(account) is not { IsConfigured: true, IdpSloUrl: not null } connection
            || connection.IdpEntityId != origin.IdpEntityId
            || await CurrentSigningCertificateAsync(spKeys, account) is not { } certificate)
        {
            return TypedResults.Redirect(SignedOutPath);
        }
        var sp = new SpConfig(options.Value.SpEntityId(account), certificate);
        var redirect = new LogoutMessageBuilder(sp, connection.ToIdpConfig(), clock).BuildLogoutRequest(origin.NameId, origin.NameIdFormat, origin.SessionIndex);
        http.Response.Cookies.Append(state.LogoutCookieName, state.StartLogout(new PendingLogout(account, redirect.RequestId, origin.UserId)), state.LogoutCookieOptions);
        await loginApi.RecordLogoutEventAsync(new SsoLogoutEvent(account, "sent", "sp-initiated", origin.UserId, Ip(http)), http.RequestAborted);
        return TypedResults.Redirect(redirect.Url);
    }

    public static Task<IResult> SingleLogoutRedirect(string account, HttpContext http, SsoConnectionStore store, SpSigningKeys spKeys, SamlState state,
        LoginApiBridge loginApi, IOptions<SsoOptions> options, TimeProvider clock, IHostEnvironment environment)
    {
        var query = http.Request.Query;
        LogoutBinding binding = new LogoutBinding.Redirect(http.Request.QueryString.Value);
        return query.ContainsKey(RedirectBinding.ResponseParameter) && !query.ContainsKey(RedirectBinding.RequestParameter)
            ? ReceiveResponseAsync(account, binding, http, store, state, loginApi, options, clock)
            : ReceiveRequestAsync(account, binding, http, store, spKeys, state, loginApi, options, clock, environment);
    }

    public static async Task<IResult> SingleLogoutPost(string account, HttpContext http, SsoConnectionStore store, SpSigningKeys spKeys, SamlState state,
        LoginApiBridge loginApi, IOptions<SsoOptions> options, TimeProvider clock, IHostEnvironment environment)
    {
        if (!http.Request.HasFormContentType)
        {
            return Refused("The logout message must be posted as a form.");
        }
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var relayState = form["RelayState"].Count == 1 ? form["RelayState"].ToString() : null;
        if (form["SAMLResponse"].Count == 1 && form["SAMLRequest"].Count == 0)
        {
            return await ReceiveResponseAsync(account, new LogoutBinding.Post(form["SAMLResponse"].ToString(), relayState), http, store, state, loginApi, options, clock);
        }
        return await ReceiveRequestAsync(account, new LogoutBinding.Post(form["SAMLRequest"].Count == 1 ? form["SAMLRequest"].ToString() : null, relayState),
            http, store, spKeys, state, loginApi, options, clock, environment);
    }

    /// <summary>The IdP's answer to our LogoutRequest: the session is gone already, the page says whether the IdP confirmed.</summary>
    private static async Task<IResult> ReceiveResponseAsync(string account, LogoutBinding binding, HttpContext http, SsoConnectionStore store,
        SamlState state, LoginApiBridge loginApi, IOptions<SsoOptions> options, TimeProvider clock)
    {
        if (!SsoBridge.AccountKey().IsMatch(account) || await store.FindAsync(account) is not { IsConfigured: true } connection)
        {
            return SsoPages.Unavailable(http);
        }
        var pending = await state.TakeLogoutAsync(http.Request.Cookies[state.LogoutCookieName]);
        http.Response.Cookies.Delete(state.LogoutCookieName, state.LogoutCookieOptions);
        if (pending is not null && pending.Account != account)
        {
            pending = null;
        }
        var result = LogoutMessageValidator.ValidateResponse(binding, new LogoutValidationContext
        {
            Idp = connection.ToIdpConfig(),
            ExpectedDestination = new SpConfig(options.Value.SpEntityId(account)).SloUrl,
            ExpectedInResponseTo = pending?.RequestId,
            Clock = clock,
        });
        if (result.Message is not { } response)
        {
            var reason = SamlLoginApi.ReasonCode(result.Reason);
            LogRefused(http.RequestServices.GetRequiredService<ILogger<SamlState>>(), account, "LogoutResponse", reason);
            await loginApi.RecordLogoutEventAsync(new SsoLogoutEvent(account, "refused", reason, pending?.UserId, Ip(http)), http.RequestAborted);
            return SsoPages.SignedOut(http, confirmedByIdp: false, StatusCodes.Status400BadRequest);
        }
        await loginApi.RecordLogoutEventAsync(new SsoLogoutEvent(account, "completed", response.Success ? "success" : StatusReason(response.StatusCode),
            pending!.UserId, Ip(http)), http.RequestAborted);
        return SsoPages.SignedOut(http, confirmedByIdp: response.Success, StatusCodes.Status200OK);
    }

    /// <summary>
    /// The IdP signs the user out: every platform session of the identity ends (nothing ends unless the request is
    /// signed by the IdP, addressed to us, fresh and new), and the IdP gets a signed LogoutResponse.
    /// </summary>
    private static async Task<IResult> ReceiveRequestAsync(string account, LogoutBinding binding, HttpContext http, SsoConnectionStore store,
        SpSigningKeys spKeys, SamlState state, LoginApiBridge loginApi, IOptions<SsoOptions> options, TimeProvider clock, IHostEnvironment environment)
    {
        if (!SsoBridge.AccountKey().IsMatch(account) || await store.FindAsync(account) is not { IsConfigured: true } connection)
        {
            return SsoPages.Unavailable(http);
        }
        var idp = connection.ToIdpConfig();
        var sp = new SpConfig(options.Value.SpEntityId(account));
        var result = await LogoutMessageValidator.ValidateRequestAsync(binding, new LogoutValidationContext
        {
            Idp = idp,
            ExpectedDestination = sp.SloUrl,
            TryRememberRequestId = (id, until, _) => state.TryRememberLogoutRequestAsync(account, id, until),
            Clock = clock,
        }, http.RequestAborted);
        if (result.Message is not { } request)
        {
            var reason = SamlLoginApi.ReasonCode(result.Reason);
            LogRefused(http.RequestServices.GetRequiredService<ILogger<SamlState>>(), account, "LogoutRequest", reason);
            await loginApi.RecordLogoutEventAsync(new SsoLogoutEvent(account, "refused", reason, null, Ip(http)), http.RequestAborted);
            return Refused("The logout request was refused.");
        }
        await loginApi.EndIdentitySessionsAsync(new SsoIdpLogout(account, idp.EntityId, request.NameId, [.. request.SessionIndexes], Ip(http)),
            http.RequestAborted);
        // This browser's cookie goes too (its session, if it had one of this identity, has just ended).
        http.Response.Cookies.Delete(SsoBridge.SessionCookieName(environment.IsDevelopment()),
            new CookieOptions { Path = "/", Secure = !environment.IsDevelopment(), HttpOnly = true });
        if (idp.SingleLogoutUrl is null || await CurrentSigningCertificateAsync(spKeys, account) is not { } certificate)
        {
            return SsoPages.SignedOut(http, confirmedByIdp: true, StatusCodes.Status200OK);
        }
        var answer = new LogoutMessageBuilder(new SpConfig(sp.EntityId, certificate), idp, clock)
            .BuildLogoutResponse(request.Id, SamlConstants.StatusSuccess, request.RelayState);
        return TypedResults.Redirect(answer.Url);
    }

    private static async Task<System.Security.Cryptography.X509Certificates.X509Certificate2?> CurrentSigningCertificateAsync(SpSigningKeys spKeys, string account) =>
        (await spKeys.ListAsync(account)).FirstOrDefault(k => k.State == SpKeyState.Current) is { } current ? await spKeys.SigningCertificateAsync(current) : null;

    private static IResult Refused(string title) =>
        TypedResults.Problem(title: title, statusCode: StatusCodes.Status400BadRequest, type: "https://access-platform/problems/saml-logout-refused");

    /// <summary>urn:oasis:names:tc:SAML:2.0:status:PartialLogout → partial-logout (a reason code, never free text).</summary>
    private static string StatusReason(string statusCode) =>
        statusCode.StartsWith("urn:oasis:names:tc:SAML:2.0:status:", StringComparison.Ordinal)
            ? KebabBoundary().Replace(statusCode["urn:oasis:names:tc:SAML:2.0:status:".Length..], "$1-$2").ToLowerInvariant()
            : "unknown-status";

    private static string? Ip(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    [System.Text.RegularExpressions.GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial System.Text.RegularExpressions.Regex KebabBoundary();

    [LoggerMessage(EventId = 2111, Level = LogLevel.Information, Message = "SAML {Message} refused for account {Account} ({Reason})")]
    private static partial void LogRefused(ILogger logger, string account, string message, string reason);
}
