using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AccessPlatform.Contracts;
using AccessPlatform.Sso.Data;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Sso.Api.Saml;

namespace AccessPlatform.Sso.Login;

/// <summary>
/// The per-account SAML endpoints: SP-initiated login, the Assertion Consumer Service and SP metadata.
/// The account's SSO URL <c>{PublicOrigin}/login/saml/{account}/</c> is also its SP entity id.
/// </summary>
public static partial class SamlLoginApi
{
    private static readonly string[] GivenNameAttributes =
        ["givenName", "firstName", "given_name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42"];

    private static readonly string[] FamilyNameAttributes =
        ["sn", "surname", "lastName", "family_name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4"];

    public static IEndpointRouteBuilder MapSamlApi(this IEndpointRouteBuilder app)
    {
        var saml = app.MapGroup("/login/saml/{account}").WithTags("SAML");
        // Browser endpoints (redirects and HTML error pages, in the user's language), described for the IdP's admins.
        saml.MapGet("/", Start).WithName("StartSamlLogin")
            .WithSummary("Starts an SP-initiated SAML login: redirects the browser to the account's IdP with an AuthnRequest.")
            .Produces(StatusCodes.Status302Found).Produces(StatusCodes.Status404NotFound, contentType: "text/html");
        saml.MapPost("/acs", Consume).WithName("SamlAssertionConsumer").DisableAntiforgery()
            .WithSummary("Assertion Consumer Service (HTTP-POST binding): validates the IdP's SAMLResponse form post and signs the browser in.")
            .Accepts<SamlPostForm>("application/x-www-form-urlencoded")
            .Produces(StatusCodes.Status303SeeOther).Produces(StatusCodes.Status403Forbidden, contentType: "text/html")
            .Produces(StatusCodes.Status404NotFound, contentType: "text/html").Produces(StatusCodes.Status503ServiceUnavailable, contentType: "text/html");
        saml.MapGet("/metadata", Metadata).WithName("SamlSpMetadata")
            .WithSummary("The account's SP metadata (entity id, ACS, SLO, signing and encryption certificates) for the IdP.")
            .Produces<string>(StatusCodes.Status200OK, "application/samlmetadata+xml").Produces(StatusCodes.Status404NotFound, contentType: "text/html");
        saml.MapSamlLogoutApi();
        return app;
    }

    /// <summary>Sends the browser to the IdP with an AuthnRequest, remembering its id for this browser.</summary>
    public static async Task<IResult> Start(string account, string? returnUrl, HttpContext http, SsoConnectionStore store, SpSigningKeys spKeys,
        SamlState state, IOptions<SsoOptions> options)
    {
        if (!SsoBridge.AccountKey().IsMatch(account) || await store.FindAsync(account) is not { IsConfigured: true } connection)
        {
            return SsoPages.Unavailable(http);
        }
        // RelayState travels through the IdP and is capped at 80 bytes; anything else lands on the home page.
        var returnPath = SsoBridge.IsLocalPath(returnUrl) && Encoding.UTF8.GetByteCount(returnUrl!) <= 80 ? returnUrl! : "/";
        return TypedResults.Redirect(await BeginAsync(account, connection, returnPath, testerId: null, http, spKeys, state, options));
    }

    /// <summary>
    /// The AuthnRequest and its pending-request cookie; returns where to send the browser. <paramref name="testerId"/>
    /// (the settings page's "Test sign-in" only) makes the answer end on the test result page.
    /// </summary>
    public static async Task<string> BeginAsync(string account, SsoConnection connection, string returnPath, Guid? testerId, HttpContext http,
        SpSigningKeys spKeys, SamlState state, IOptions<SsoOptions> options)
    {
        var idp = connection.ToIdpConfig();
        // Signed only when the IdP asks for it: an IdP that does not know our certificate may refuse signed requests.
        // The key is decoded once per key and cached, not per request.
        var spCertificate = idp.WantAuthnRequestsSigned
            ? (await spKeys.ListAsync(account)).FirstOrDefault(k => k.Use == SpKeyUse.Signing && k.State == SpKeyState.Current) is { } current
                ? await spKeys.SigningCertificateAsync(current) : null
            : null;
        var sp = new SpConfig(options.Value.SpEntityId(account), spCertificate);
        var redirect = new AuthnRequestBuilder(sp, idp).BuildRedirect(returnPath);
        // The pending request travels in the encrypted cookie; nothing is written to Redis for a GET.
        http.Response.Cookies.Append(state.CookieName, state.Start(new PendingRequest(account, redirect.RequestId, returnPath, testerId)), state.CookieOptions);
        return redirect.Url;
    }

    /// <summary>
    /// Validates the posted response (every rule in <see cref="SamlResponseValidator"/>), then lets Login.Api map the
    /// identity to a user and hand out a one-time code that this browser, and only this one, redeems for a session.
    /// </summary>
    public static async Task<IResult> Consume(string account, HttpContext http, SsoConnectionStore store, SpSigningKeys spKeys, SamlState state,
        LoginApiBridge loginApi, IOptions<SsoOptions> options, TimeProvider clock, IHostEnvironment environment, ILogger<SamlState> logger)
    {
        if (!SsoBridge.AccountKey().IsMatch(account) || await store.FindAsync(account) is not { IsConfigured: true } connection)
        {
            return SsoPages.Unavailable(http);
        }
        var ip = http.Connection.RemoteIpAddress?.ToString();
        var cancellationToken = http.RequestAborted;

        // The pending request is taken (deleted) whatever happens next: one response per request.
        var pending = await state.TakeAsync(http.Request.Cookies[state.CookieName]);
        http.Response.Cookies.Delete(state.CookieName, state.CookieOptions);
        if (pending is not null && pending.Account != account)
        {
            pending = null;
        }

        string? samlResponse = null;
        string? relayState = null;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(cancellationToken);
            samlResponse = form["SAMLResponse"].Count == 1 ? form["SAMLResponse"].ToString() : null;
            relayState = form["RelayState"].Count == 1 ? form["RelayState"].ToString() : null;
        }

        var idp = connection.ToIdpConfig();
        var result = await SamlResponseValidator.ValidateAsync(samlResponse, new SamlValidationContext
        {
            Idp = idp,
            // Every encryption key the metadata publishes (current, next, previous) decrypts; each is decoded once and cached.
            Sp = new SpConfig(options.Value.SpEntityId(account)) { DecryptionCertificates = await spKeys.DecryptionCertificatesAsync(account) },
            ExpectedInResponseTo = pending?.RequestId,
            TryRememberAssertionId = (id, until, _) => state.TryRememberAssertionAsync(account, id, until),
            Clock = clock,
            MaxResponseBytes = options.Value.MaxResponseBytes,
        }, cancellationToken);
        if (pending?.TesterId is { } testerId)
        {
            return await TestResultAsync(account, connection, result, testerId, http, loginApi, cancellationToken);
        }
        if (!result.Succeeded)
        {
            var reason = ReasonCode(result.Reason);
            LogRefused(logger, account, reason);
            try
            {
                await loginApi.RecordRefusalAsync(account, reason, ip, cancellationToken);
            }
            catch (HttpRequestException)
            {
                // The refusal stands without the audit record; the log line above still has it.
            }
            return SsoPages.Refused(http);
        }

        var identity = result.Identity;
        var returnPath = pending?.ReturnPath ?? (SsoBridge.IsLocalPath(relayState) ? relayState! : "/");
        var binding = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        BridgeOutcome outcome;
        try
        {
            outcome = await loginApi.IssueLoginCodeAsync(LoginRequestOf(account, connection, identity, returnPath, SsoBridge.BindingHash(binding), ip),
                cancellationToken);
            if (outcome is BridgeOutcome.Invalid)
            {
                await loginApi.RecordRefusalAsync(account, "saml-identity-invalid", ip, cancellationToken);
            }
        }
        catch (HttpRequestException)
        {
            return SsoPages.Busy(http);
        }
        if (outcome is not BridgeOutcome.Issued issued)
        {
            return SsoPages.Refused(http);
        }
        http.Response.Cookies.Append(SsoBridge.BindingCookieName(environment.IsDevelopment()), binding, new CookieOptions
        {
            HttpOnly = true,
            Secure = !environment.IsDevelopment(),
            SameSite = SameSiteMode.Lax,
            Path = "/",
            IsEssential = true,
            MaxAge = TimeSpan.FromSeconds(60),
        });
        // 303: the browser follows with a GET to Login.Api (through the gateway), which sets the session cookie.
        http.Response.Headers.Location = SsoBridge.CompletePath + "?code=" + Uri.EscapeDataString(issued.Code);
        return TypedResults.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static SsoLoginRequest LoginRequestOf(string account, SsoConnection connection, SamlIdentity identity, string returnPath, string bindingHash,
        string? ip) =>
        new(account, identity.IdpEntityId, identity.NameId, identity.Email,
            FirstValue(identity.Attributes, GivenNameAttributes), FirstValue(identity.Attributes, FamilyNameAttributes),
            connection.JitProvisioning, returnPath, bindingHash, ip, identity.SessionNotOnOrAfter,
            identity.NameIdFormat, connection.LinkExistingUsersByEmail, identity.SessionIndex is { Length: <= 256 } index ? index : null);

    /// <summary>
    /// A test sign-in's answer: validated by every rule as always, then mapped by Login.Api's dry run (nothing linked
    /// or created, audited as a test), and shown on the result page. Never a code, never a session.
    /// </summary>
    private static async Task<IResult> TestResultAsync(string account, SsoConnection connection, SamlValidationResult result, Guid testerId,
        HttpContext http, LoginApiBridge loginApi, CancellationToken cancellationToken)
    {
        var ip = http.Connection.RemoteIpAddress?.ToString();
        SsoTestSignInResult mapped;
        try
        {
            mapped = await loginApi.TestSignInAsync(result.Succeeded
                ? new SsoTestSignInRequest(account, testerId,
                    LoginRequestOf(account, connection, result.Identity, "/", SsoBridge.BindingHash("test-sign-in"), ip), null, ip)
                : new SsoTestSignInRequest(account, testerId, null, ReasonCode(result.Reason), ip), cancellationToken);
        }
        catch (HttpRequestException)
        {
            return SsoPages.Busy(http);
        }
        return SsoTestResultPage.Render(http, result.Succeeded ? null : ReasonCode(result.Reason), result.Succeeded ? result.Identity : null,
            result.Succeeded ? new TestMapping(result.Identity.Email, FirstValue(result.Identity.Attributes, GivenNameAttributes),
                FirstValue(result.Identity.Attributes, FamilyNameAttributes)) : null, mapped);
    }

    /// <summary>Built from the public certificates only (current, and next or previous during a rollover): no private key is read.</summary>
    public static async Task<IResult> Metadata(string account, HttpContext http, SsoConnectionStore store, SpSigningKeys spKeys, IOptions<SsoOptions> options)
    {
        if (!SsoBridge.AccountKey().IsMatch(account) || await store.FindAsync(account) is null)
        {
            return SsoPages.Unavailable(http);
        }
        var keys = await spKeys.ListAsync(account);
        // Current encryption certificate first: an IdP that takes one from the metadata takes the first.
        var encryption = keys.Where(k => k.Use == SpKeyUse.Encryption).OrderBy(k => k.State == SpKeyState.Current ? 0 : 1);
        return TypedResults.Content(SpMetadataBuilder.Build(new SpConfig(options.Value.SpEntityId(account)),
                [.. keys.Where(k => k.Use == SpKeyUse.Signing).Select(k => k.Certificate)], [.. encryption.Select(k => k.Certificate)]),
            "application/samlmetadata+xml; charset=utf-8");
    }

    /// <summary>Audit reason code: "saml-" and the validator's reason in kebab case, e.g. saml-signature-invalid.</summary>
    public static string ReasonCode(SamlFailureReason reason) =>
        "saml-" + KebabBoundary().Replace(reason.ToString(), "$1-$2").ToLowerInvariant();

    private static string? FirstValue(IReadOnlyDictionary<string, IReadOnlyList<string>> attributes, string[] names)
    {
        foreach (var wanted in names)
        {
            foreach (var (name, values) in attributes)
            {
                if (string.Equals(name, wanted, StringComparison.OrdinalIgnoreCase) && values.FirstOrDefault(v => v.Length > 0) is { } value)
                {
                    return value.Length <= 256 ? value : value[..256];
                }
            }
        }
        return null;
    }

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex KebabBoundary();

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "SAML response refused for account {Account} ({Reason})")]
    private static partial void LogRefused(ILogger logger, string account, string reason);
}

/// <summary>The ACS form post, as the IdP's auto-submitting page sends it (for the OpenAPI document; the handler reads the form itself).</summary>
public sealed record SamlPostForm(string SAMLResponse, string? RelayState);
