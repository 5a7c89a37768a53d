using AccessPlatform.Sso.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Sso.Admin;

/// <summary>
/// SP signing certificate rollover of the caller's own account: add a next certificate (published in metadata beside
/// the current one), switch to it (the old one stays published as previous), retire the old one.
/// </summary>
public static class AdminSpCertificatesApi
{
    public static IEndpointRouteBuilder MapAdminSpCertificatesApi(this IEndpointRouteBuilder app)
    {
        var certificates = app.MapGroup("/api/admin/sso/sp-certificates").WithTags("SSO settings").RequireAuthorization(AdminClaims.Policy);
        certificates.MapPost("/next", (HttpContext http, SpSigningKeys keys, SsoSettingsService settings) =>
                StepAsync(http, settings, keys.AddNextAsync,
                    "A next certificate already exists, or the previous one is not retired yet."))
            .WithName("AddNextSpCertificate").ProducesProblemTypes(403, "reauthentication-required").ProducesProblemTypes(409, "sp-rollover-conflict").WithSummary("Adds the next SP signing certificate (published, not yet used).");
        certificates.MapPost("/switch", (HttpContext http, SpSigningKeys keys, SsoSettingsService settings) =>
                StepAsync(http, settings, keys.SwitchAsync,
                    "There is no next certificate to switch to, or the previous one is not retired yet."))
            .WithName("SwitchSpCertificate").ProducesProblemTypes(403, "reauthentication-required").ProducesProblemTypes(409, "sp-rollover-conflict").WithSummary("Signs with the next SP certificate from now on; the old one stays published.");
        certificates.MapPost("/retire", (HttpContext http, SpSigningKeys keys, SsoSettingsService settings) =>
                StepAsync(http, settings, keys.RetireAsync, "There is no previous certificate to retire."))
            .WithName("RetireSpCertificate").ProducesProblemTypes(403, "reauthentication-required").ProducesProblemTypes(409, "sp-rollover-conflict").WithSummary("Stops publishing the SP certificate that was switched away from.");

        // The encryption key has its own rollover with the same three steps (IdPs encrypt to it; it decrypts).
        var encryption = app.MapGroup("/api/admin/sso/sp-encryption-certificates").WithTags("SSO settings").RequireAuthorization(AdminClaims.Policy);
        encryption.MapPost("/next", (HttpContext http, SpSigningKeys keys, SsoSettingsService settings) =>
                StepAsync(http, settings, account => keys.AddNextAsync(account, SpKeyUse.Encryption),
                    "A next certificate already exists, or the previous one is not retired yet."))
            .WithName("AddNextSpEncryptionCertificate").ProducesProblemTypes(403, "reauthentication-required").ProducesProblemTypes(409, "sp-rollover-conflict").WithSummary("Adds the next SP encryption certificate (published, decrypts, not yet first).");
        encryption.MapPost("/switch", (HttpContext http, SpSigningKeys keys, SsoSettingsService settings) =>
                StepAsync(http, settings, account => keys.SwitchAsync(account, SpKeyUse.Encryption),
                    "There is no next certificate to switch to, or the previous one is not retired yet."))
            .WithName("SwitchSpEncryptionCertificate").ProducesProblemTypes(403, "reauthentication-required").ProducesProblemTypes(409, "sp-rollover-conflict").WithSummary("Makes the next SP encryption certificate the current one; the old one still decrypts.");
        encryption.MapPost("/retire", (HttpContext http, SpSigningKeys keys, SsoSettingsService settings) =>
                StepAsync(http, settings, account => keys.RetireAsync(account, SpKeyUse.Encryption), "There is no previous certificate to retire."))
            .WithName("RetireSpEncryptionCertificate").ProducesProblemTypes(403, "reauthentication-required").ProducesProblemTypes(409, "sp-rollover-conflict").WithSummary("Deletes the SP encryption certificate that was switched away from: it no longer decrypts.");
        return app;
    }

    private static async Task<Results<Ok<SsoSettingsView>, ProblemHttpResult>> StepAsync(
        HttpContext http, SsoSettingsService settings, Func<string, Task<SpRolloverResult>> step, string conflict)
    {
        var t = http.RequestServices.GetRequiredService<IStringLocalizer<SsoResource>>();
        // The SP key is part of the SSO trust: the same fresh proof of the manager as a settings change (ASVS 7.5.1).
        if (!http.User.IsRecentlyAuthenticated())
        {
            return TypedResults.Problem(title: t["Admin_ApiReauthenticate"], statusCode: StatusCodes.Status403Forbidden,
                type: AdminClaims.ReauthenticationProblemType, extensions: new Dictionary<string, object?> { ["reauthenticate"] = "/api/auth/reauthenticate" });
        }
        var account = http.User.AccountOf();
        var actor = new SettingsActor(http.User.UserIdOf(), http.Connection.RemoteIpAddress?.ToString());
        if (await settings.RollOverAsync(account, step, actor, http.RequestAborted) == SpRolloverResult.Conflict)
        {
            return TypedResults.Problem(title: t["Admin_SpRolloverConflict"], detail: conflict,
                statusCode: StatusCodes.Status409Conflict, type: "https://access-platform/problems/sp-rollover-conflict");
        }
        return TypedResults.Ok(await settings.GetAsync(account));
    }
}
