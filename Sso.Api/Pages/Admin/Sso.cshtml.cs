using AccessPlatform.Sso.Admin;
using AccessPlatform.Sso.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Sso.Pages.Admin;

/// <summary>The SSO settings page: what to copy into the IdP, and the form for the IdP's details. Same rules as the API.</summary>
public sealed class SsoModel(SsoSettingsService settings, SpSigningKeys spKeys, IStringLocalizer<SsoResource> t, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<AccessPlatform.Sso.Login.SsoOptions> options, SsoConnectionStore store, AccessPlatform.Sso.Login.SamlState state)
    : PageModel
{
    public const int MaxUploadBytes = 1024 * 1024;

    [BindProperty] public string? MetadataXml { get; set; }
    [BindProperty] public string? MetadataUrl { get; set; }
    [BindProperty] public IFormFile? MetadataFile { get; set; }
    [BindProperty] public string? IdpEntityId { get; set; }
    [BindProperty] public string? IdpSsoUrl { get; set; }
    [BindProperty] public string? IdpSloUrl { get; set; }
    [BindProperty] public string? Certificate1 { get; set; }
    [BindProperty] public string? Certificate2 { get; set; }
    [BindProperty] public bool EnforceSso { get; set; }
    [BindProperty] public bool JitProvisioning { get; set; }
    [BindProperty] public bool AllowIdpInitiated { get; set; }
    [BindProperty] public bool LinkExistingUsersByEmail { get; set; }
    [BindProperty] public bool RequireEncryptedAssertions { get; set; }

    public SsoSettingsView View { get; private set; } = null!;
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public bool Saved { get; private set; }

    /// <summary>The resource key of the rollover step just done, for the status line.</summary>
    public string? RolloverDone { get; private set; }

    /// <summary>Within the warning window of the expiry metric and health check.</summary>
    public bool ExpiresSoon(DateTime notAfter) => notAfter - clock.GetUtcNow().UtcDateTime <= TimeSpan.FromDays(options.Value.CertificateWarningDays);

    /// <summary>"Fetch metadata now": the scheduled refresh, with this Account Manager as the audited actor.</summary>
    public async Task<IActionResult> OnPostRefreshMetadataAsync()
    {
        if (!User.IsRecentlyAuthenticated())
        {
            return Redirect($"{AdminClaims.ReauthenticationPage}?returnUrl={Uri.EscapeDataString("/admin/sso")}");
        }
        await settings.RefreshMetadataAsync(User.AccountOf(), new SettingsActor(User.UserIdOf(), HttpContext.Connection.RemoteIpAddress?.ToString()),
            HttpContext.RequestAborted);
        await OnGetAsync();
        RolloverDone = View.Metadata is { Error: null } ? "Meta_Refreshed" : null;
        return Page();
    }

    /// <summary>
    /// "Test sign-in" (a form with target=_blank): an SP-initiated login whose pending-request cookie carries this
    /// Account Manager as tester, so the answer ends on the result page. Changes nothing, so no re-authentication.
    /// </summary>
    public async Task<IActionResult> OnPostTestSignInAsync()
    {
        var account = User.AccountOf();
        if (await store.FindAsync(account) is not { IsConfigured: true } connection)
        {
            await OnGetAsync();
            Errors[""] = [t["Admin_NotConfigured"]];
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        var idpUrl = await AccessPlatform.Sso.Login.SamlLoginApi.BeginAsync(account, connection, "/admin/sso", User.UserIdOf(), HttpContext, spKeys,
            state, options);
        Response.Headers.CacheControl = "no-store";
        return Content(AccessPlatform.Sso.Login.SsoPages.ContinueToIdpHtml(HttpContext, idpUrl), "text/html; charset=utf-8");
    }

    public Task<IActionResult> OnPostNextCertificateAsync() => RolloverAsync(spKeys.AddNextAsync, "Admin_SpNextAdded");

    public Task<IActionResult> OnPostSwitchCertificateAsync() => RolloverAsync(spKeys.SwitchAsync, "Admin_SpSwitched");

    public Task<IActionResult> OnPostRetireCertificateAsync() => RolloverAsync(spKeys.RetireAsync, "Admin_SpRetired");

    public Task<IActionResult> OnPostNextEncryptionCertificateAsync() =>
        RolloverAsync(account => spKeys.AddNextAsync(account, SpKeyUse.Encryption), "Enc_NextAdded");

    public Task<IActionResult> OnPostSwitchEncryptionCertificateAsync() =>
        RolloverAsync(account => spKeys.SwitchAsync(account, SpKeyUse.Encryption), "Enc_Switched");

    public Task<IActionResult> OnPostRetireEncryptionCertificateAsync() =>
        RolloverAsync(account => spKeys.RetireAsync(account, SpKeyUse.Encryption), "Enc_Retired");

    private async Task<IActionResult> RolloverAsync(Func<string, Task<SpRolloverResult>> step, string doneKey)
    {
        if (!User.IsRecentlyAuthenticated())
        {
            return Redirect($"{AdminClaims.ReauthenticationPage}?returnUrl={Uri.EscapeDataString("/admin/sso")}");
        }
        var result = await settings.RollOverAsync(User.AccountOf(), step,
            new SettingsActor(User.UserIdOf(), HttpContext.Connection.RemoteIpAddress?.ToString()), HttpContext.RequestAborted);
        await OnGetAsync();
        if (result == SpRolloverResult.Conflict)
        {
            Errors[""] = [t["Admin_SpRolloverConflict"]];
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        else
        {
            RolloverDone = doneKey;
        }
        return Page();
    }

    /// <summary>The shared admin layout's language selector (its antiforgery token is this service's, so it posts here).</summary>
    public IActionResult OnPostLanguage(string? culture, [FromServices] IHostEnvironment environment)
    {
        if (!PlatformCultures.IsSupported(culture))
        {
            return BadRequest();
        }
        PlatformCultures.AppendCultureCookie(Response, culture!, secure: !environment.IsDevelopment());
        return Redirect("/admin/sso");
    }

    public async Task OnGetAsync()
    {
        View = await settings.GetAsync(User.AccountOf());
        IdpEntityId = View.IdpEntityId;
        MetadataUrl = View.Metadata?.Url;
        IdpSsoUrl = View.IdpSsoUrl;
        IdpSloUrl = View.IdpSloUrl;
        // Prefilled, so changing an option does not mean pasting the certificates again.
        Certificate1 = View.IdpCertificates.ElementAtOrDefault(0)?.Pem;
        Certificate2 = View.IdpCertificates.ElementAtOrDefault(1)?.Pem;
        EnforceSso = View.EnforceSso;
        JitProvisioning = View.JitProvisioning;
        AllowIdpInitiated = View.AllowIdpInitiated;
        LinkExistingUsersByEmail = View.LinkExistingUsersByEmail;
        RequireEncryptedAssertions = View.RequireEncryptedAssertions;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        // The same rule as the API: a change needs a re-authentication within the last 5 minutes; Login.Api's page asks for it.
        if (!User.IsRecentlyAuthenticated())
        {
            return Redirect($"{AdminClaims.ReauthenticationPage}?returnUrl={Uri.EscapeDataString("/admin/sso")}");
        }
        var account = User.AccountOf();
        var metadata = MetadataXml;
        if (MetadataFile is { Length: > 0 })
        {
            if (MetadataFile.Length > MaxUploadBytes)
            {
                Errors["metadataXml"] = [t["Admin_FileTooLarge"]];
            }
            else
            {
                using var reader = new StreamReader(MetadataFile.OpenReadStream());
                metadata = await reader.ReadToEndAsync(HttpContext.RequestAborted);
            }
        }
        if (Errors.Count == 0)
        {
            // Entity id and certificates already shown come from the stored settings; with metadata they are ignored.
            // A metadata URL wins over the prefilled manual fields (they show what the last fetch brought).
            var byUrl = !string.IsNullOrWhiteSpace(MetadataUrl) && string.IsNullOrWhiteSpace(metadata);
            var manual = string.IsNullOrWhiteSpace(metadata) && !byUrl;
            var input = new SsoSettingsInput
            {
                MetadataXml = metadata,
                MetadataUrl = byUrl ? MetadataUrl : null,
                IdpEntityId = manual ? IdpEntityId : null,
                IdpSsoUrl = manual ? IdpSsoUrl : null,
                IdpSloUrl = manual ? IdpSloUrl : null,
                Certificates = manual ? [Certificate1 ?? "", Certificate2 ?? ""] : null,
                EnforceSso = EnforceSso,
                JitProvisioning = JitProvisioning,
                AllowIdpInitiated = AllowIdpInitiated,
                LinkExistingUsersByEmail = LinkExistingUsersByEmail,
                RequireEncryptedAssertions = RequireEncryptedAssertions,
            };
            (Errors, var validated) = await settings.ValidateAsync(input, HttpContext.RequestAborted);
            if (validated is not null)
            {
                try
                {
                    await settings.SaveAsync(account, validated, new SettingsActor(User.UserIdOf(), HttpContext.Connection.RemoteIpAddress?.ToString()),
                        HttpContext.RequestAborted);
                    Saved = true;
                }
                catch (HttpRequestException)
                {
                    Errors[""] = [t["Admin_SaveFailed"]];
                }
            }
        }
        View = await settings.GetAsync(account);
        if (!Saved)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }

    public string? ErrorFor(string field) =>
        Errors.Where(e => e.Key == field || e.Key.StartsWith(field + "[", StringComparison.Ordinal)).SelectMany(e => e.Value).FirstOrDefault();
}
