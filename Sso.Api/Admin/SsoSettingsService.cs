using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AccessPlatform.Sso.Data;
using AccessPlatform.Sso.Login;
using AccessPlatform.Sso.Metadata;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Sso.Api.Saml;

namespace AccessPlatform.Sso.Admin;

/// <summary>What an Account Manager submits: the IdP's metadata XML, or its entity id, SSO URL and certificates by hand.</summary>
public sealed record SsoSettingsInput
{
    public string? MetadataXml { get; init; }

    /// <summary>The IdP's metadata URL (https): fetched now and then every <c>Sso:MetadataRefresh:Interval</c>.</summary>
    public string? MetadataUrl { get; init; }
    public string? IdpEntityId { get; init; }
    public string? IdpSsoUrl { get; init; }

    /// <summary>The IdP's single logout URL (HTTP-Redirect), optional; from the metadata when metadata is given.</summary>
    public string? IdpSloUrl { get; init; }
    public string[]? Certificates { get; init; }
    public bool EnforceSso { get; init; }
    public bool JitProvisioning { get; init; }
    public bool AllowIdpInitiated { get; init; }
    public bool LinkExistingUsersByEmail { get; init; }
    public bool RequireEncryptedAssertions { get; init; }
}

/// <summary>Who changes the settings: the Account Manager's user id and address (audited); <see cref="MetadataRefresh"/> for the automatic refresh.</summary>
public sealed record SettingsActor(Guid UserId, string? Ip)
{
    public static readonly SettingsActor MetadataRefresh = new(Guid.Empty, null);
}

/// <summary>The metadata URL's state: when it was last fetched, and the last failure (a <c>MetadataFetchFailure</c> code) and its time.</summary>
public sealed record MetadataUrlView(string Url, DateTime? FetchedAt, string? Error, DateTime? ErrorAt);

public sealed record IdpCertificateView(string Subject, string Sha256Thumbprint, DateTime NotBefore, DateTime NotAfter, string Pem);

/// <param name="State">next, current or previous (see <see cref="SpKeyState"/>).</param>
public sealed record SpCertificateView(string State, string Subject, string Sha256Thumbprint, DateTime NotBefore, DateTime NotAfter);

public sealed record SsoSettingsView(
    string Account, string SsoUrl, string SpEntityId, string AcsUrl, string MetadataUrl, string SpMetadata, bool Configured,
    string? IdpEntityId, string? IdpSsoUrl, IdpCertificateView[] IdpCertificates, bool WantAuthnRequestsSigned,
    bool EnforceSso, bool JitProvisioning, bool AllowIdpInitiated, bool LinkExistingUsersByEmail, SpCertificateView[] SpCertificates,
    bool RequireEncryptedAssertions = false, SpCertificateView[]? SpEncryptionCertificates = null, string? IdpSloUrl = null,
    MetadataUrlView? Metadata = null);

/// <summary>Reads, validates and saves an account's SSO settings: shared by the admin API and the admin page.</summary>
public sealed class SsoSettingsService(SsoConnectionStore store, SpSigningKeys spKeys, LoginApiBridge loginApi, IOptions<SsoOptions> options,
    IdpMetadataFetcher fetcher, IStringLocalizer<SsoResource> text)
{
    public const int MaxCertificates = 2;
    public const int MaxEntityIdLength = 1024;

    public async Task<SsoSettingsView> GetAsync(string account)
    {
        var connection = await store.GetOrCreateAsync(account);
        var entityId = options.Value.SpEntityId(account);
        var allSpKeys = await spKeys.ListAsync(account);
        var spKeyList = allSpKeys.Where(k => k.Use == SpKeyUse.Signing).ToList();
        // Current first: an IdP that takes one encryption certificate from the metadata takes the first.
        var encryptionKeys = allSpKeys.Where(k => k.Use == SpKeyUse.Encryption).OrderBy(k => k.State == SpKeyState.Current ? 0 : 1).ToList();
        var certificates = connection.LoadIdpCertificates();
        try
        {
            return new SsoSettingsView(account, entityId, entityId, entityId + "acs", entityId + "metadata",
                SpMetadataBuilder.Build(new SpConfig(entityId), [.. spKeyList.Select(k => k.Certificate)], [.. encryptionKeys.Select(k => k.Certificate)]),
                connection.IsConfigured,
                connection.IdpEntityId, connection.IdpSsoUrl,
                [.. certificates.Select(c => new IdpCertificateView(c.Subject, c.GetCertHashString(HashAlgorithmName.SHA256), c.NotBefore.ToUniversalTime(), c.NotAfter.ToUniversalTime(), c.ExportCertificatePem()))],
                connection.WantAuthnRequestsSigned, connection.EnforceSso, connection.JitProvisioning, connection.AllowIdpInitiated,
                connection.LinkExistingUsersByEmail, [.. spKeyList.Select(SpCertificateViewOf)],
                connection.RequireEncryptedAssertions, [.. encryptionKeys.Select(SpCertificateViewOf)], connection.IdpSloUrl,
                connection.MetadataUrl is { } url ? new MetadataUrlView(url, Utc(connection.MetadataFetchedAt), connection.MetadataError, Utc(connection.MetadataErrorAt)) : null);
        }
        finally
        {
            foreach (var c in certificates)
            {
                c.Dispose();
            }
        }
    }

    private static SpCertificateView SpCertificateViewOf(SpKey key)
    {
        using var certificate = key.LoadCertificate();
        return new SpCertificateView(key.State, certificate.Subject, certificate.GetCertHashString(HashAlgorithmName.SHA256),
            certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
    }

    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;

    /// <summary>
    /// <see cref="Validate"/>, and with a metadata URL the fetch first (every SSRF rule of <see cref="IdpMetadataFetcher"/>):
    /// the fetched document is then read like a pasted one. Errors of the URL are keyed <c>metadataUrl</c>.
    /// </summary>
    public async Task<(Dictionary<string, string[]> Errors, IdpSettings? Settings)> ValidateAsync(SsoSettingsInput input, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input.MetadataUrl))
        {
            var errors = Validate(input, out var settings);
            return (errors, settings);
        }
        if (!string.IsNullOrWhiteSpace(input.MetadataXml) || !string.IsNullOrWhiteSpace(input.IdpSsoUrl)
            || input.Certificates?.Any(c => !string.IsNullOrWhiteSpace(c)) == true)
        {
            return (new() { ["metadataUrl"] = ["Give either the metadata URL, the metadata XML or the SSO URL and certificates by hand, not several."] }, null);
        }
        if (!IdpMetadataFetcher.IsAcceptableUrl(input.MetadataUrl.Trim(), out var url))
        {
            return (new() { ["metadataUrl"] = [text["Valid_MetadataUrl"]] }, null);
        }
        string document;
        try
        {
            document = await fetcher.FetchAsync(url!, cancellationToken);
        }
        catch (MetadataFetchException e)
        {
            // Fixed sentences per reason: nothing of the remote answer is echoed.
            return (new() { ["metadataUrl"] = [text["Meta_Error_" + e.Reason]] }, null);
        }
        var found = Validate(input with { MetadataUrl = null, MetadataXml = document }, out var read);
        if (read is null)
        {
            fetcher.CountInvalid();
            return (found.ToDictionary(e => e.Key == "metadataXml" ? "metadataUrl" : e.Key, e => e.Value), null);
        }
        return (found, read with { MetadataUrl = url!.AbsoluteUri, MetadataXml = document });
    }

    /// <summary>Field errors keyed by the JSON property name; empty when the input is usable.</summary>
    public Dictionary<string, string[]> Validate(SsoSettingsInput input, out IdpSettings? settings)
    {
        settings = null;
        var errors = new Dictionary<string, string[]>();
        if (!string.IsNullOrWhiteSpace(input.MetadataXml))
        {
            if (!string.IsNullOrWhiteSpace(input.IdpSsoUrl) || !string.IsNullOrWhiteSpace(input.IdpSloUrl) || input.Certificates?.Any(c => !string.IsNullOrWhiteSpace(c)) == true)
            {
                errors["metadataXml"] = [text["Valid_MetadataOrManual"]];
                return errors;
            }
            IdpMetadata metadata;
            try
            {
                metadata = IdpMetadataReader.Read(input.MetadataXml, string.IsNullOrWhiteSpace(input.IdpEntityId) ? null : input.IdpEntityId.Trim());
            }
            catch (SamlMetadataException e)
            {
                // One sentence per reader rule, in the reader's language; nothing of the document is echoed.
                errors["metadataXml"] = [text["Valid_Metadata_" + e.Code]];
                return errors;
            }
            CheckEntityId(errors, "metadataXml", metadata.EntityId);
            CheckSsoUrl(errors, "metadataXml", metadata.SingleSignOnUrl);
            CheckCertificates(errors, "metadataXml", metadata.SigningCertificates);
            foreach (var metadataSloUrl in new[] { metadata.SingleLogoutUrl, metadata.SingleLogoutResponseUrl }.OfType<string>())
            {
                CheckSsoUrl(errors, "metadataXml", metadataSloUrl, "Valid_SloUrl");
            }
            if (errors.Count == 0)
            {
                settings = new IdpSettings(metadata.EntityId, metadata.SingleSignOnUrl, metadata.SigningCertificates, metadata.WantAuthnRequestsSigned,
                    input.EnforceSso, input.JitProvisioning, input.AllowIdpInitiated, input.LinkExistingUsersByEmail,
                    metadata.SingleLogoutUrl, metadata.SingleLogoutResponseUrl)
                {
                    RequireEncryptedAssertions = input.RequireEncryptedAssertions,
                };
            }
            return errors;
        }

        var entityId = input.IdpEntityId?.Trim();
        if (string.IsNullOrEmpty(entityId))
        {
            errors["idpEntityId"] = [text["Valid_EntityIdRequired"]];
        }
        else
        {
            CheckEntityId(errors, "idpEntityId", entityId);
        }
        var ssoUrl = input.IdpSsoUrl?.Trim();
        if (string.IsNullOrEmpty(ssoUrl))
        {
            errors["idpSsoUrl"] = [text["Valid_SsoUrlRequired"]];
        }
        else
        {
            CheckSsoUrl(errors, "idpSsoUrl", ssoUrl);
        }
        var sloUrl = string.IsNullOrWhiteSpace(input.IdpSloUrl) ? null : input.IdpSloUrl.Trim();
        if (sloUrl is not null)
        {
            CheckSsoUrl(errors, "idpSloUrl", sloUrl, "Valid_SloUrl");
        }
        var pems = (input.Certificates ?? []).Where(c => !string.IsNullOrWhiteSpace(c)).ToList();
        var certificates = new List<X509Certificate2>();
        if (pems.Count == 0)
        {
            errors["certificates"] = [text["Valid_CertificateRequired"]];
        }
        else if (pems.Count > MaxCertificates)
        {
            errors["certificates"] = [text["Valid_TooManyCertificates", MaxCertificates]];
        }
        else
        {
            for (var i = 0; i < pems.Count; i++)
            {
                if (ParsePem(pems[i]) is { } certificate)
                {
                    certificates.Add(certificate);
                }
                else
                {
                    errors[$"certificates[{i}]"] = [text["Valid_NotPem"]];
                }
            }
            if (certificates.Count == pems.Count)
            {
                CheckCertificates(errors, "certificates", certificates);
            }
        }
        if (errors.Count == 0)
        {
            settings = new IdpSettings(entityId!, ssoUrl!, certificates, WantAuthnRequestsSigned: false,
                input.EnforceSso, input.JitProvisioning, input.AllowIdpInitiated, input.LinkExistingUsersByEmail, sloUrl)
            {
                RequireEncryptedAssertions = input.RequireEncryptedAssertions,
            };
        }
        return errors;
    }

    /// <summary>
    /// The change is audited (with its diff, by Login.Api, which also emails every Account Manager) before anything is
    /// saved, so no change goes unrecorded; then Login.Api's flag, then the connection: if a step fails, the later ones
    /// do not happen, so the two services never disagree for long. Saving the same settings again records nothing.
    /// </summary>
    public async Task SaveAsync(string account, IdpSettings settings, SettingsActor actor, CancellationToken cancellationToken)
    {
        var changes = SsoSettingsDiff.Between(await store.GetOrCreateAsync(account), settings);
        if (changes.Count > 0)
        {
            await loginApi.RecordSettingsChangeAsync(account, actor.UserId, changes, actor.Ip, cancellationToken);
        }
        await loginApi.SetSsoEnforcedAsync(account, settings.EnforceSso, actor.UserId, actor.Ip, cancellationToken);
        await store.SaveAsync(account, settings);
    }

    /// <summary>
    /// Fetches the connection's metadata URL again. The IdP's entity id must stay the same (a new one is a new IdP: a
    /// person saves that); the SSO URL, signing certificates (an IdP rollover publishes the next certificate beside the
    /// current one, and both are accepted until the old one leaves the metadata) and the signed-requests flag follow the
    /// metadata. A change goes the way of a manual one: audited with its diff and emailed to every Account Manager
    /// before it is saved. A failure keeps the last good settings and records the reason and time.
    /// </summary>
    /// <returns>Null when fine (changed or not), else the failure's reason code.</returns>
    public async Task<string?> RefreshMetadataAsync(string account, SettingsActor actor, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(account) is not { MetadataUrl: { } url } connection)
        {
            return null;
        }
        string document;
        try
        {
            document = await fetcher.FetchAsync(new Uri(url), cancellationToken);
        }
        catch (MetadataFetchException e)
        {
            await store.RecordFetchFailedAsync(account, e.Reason);
            return e.Reason;
        }
        Validate(new SsoSettingsInput
        {
            MetadataXml = document,
            IdpEntityId = connection.IdpEntityId,
            EnforceSso = connection.EnforceSso,
            JitProvisioning = connection.JitProvisioning,
            AllowIdpInitiated = connection.AllowIdpInitiated,
            LinkExistingUsersByEmail = connection.LinkExistingUsersByEmail,
            RequireEncryptedAssertions = connection.RequireEncryptedAssertions,
        }, out var settings);
        if (settings is null || settings.EntityId != connection.IdpEntityId)
        {
            fetcher.CountInvalid();
            await store.RecordFetchFailedAsync(account, MetadataFetchFailure.InvalidMetadata);
            return MetadataFetchFailure.InvalidMetadata;
        }
        settings = settings with { MetadataUrl = url, MetadataXml = document };
        var changes = SsoSettingsDiff.Between(connection, settings);
        if (changes.Count == 0)
        {
            await store.RecordFetchSucceededAsync(account, document);
            return null;
        }
        await loginApi.RecordSettingsChangeAsync(account, actor.UserId, changes, actor.Ip, cancellationToken,
            metadataRefresh: actor == SettingsActor.MetadataRefresh);
        await store.SaveAsync(account, settings);
        return null;
    }

    /// <summary>
    /// One step of the SP certificate rollover, governed like every SSO change: the step, then the audit with which
    /// certificate changed state (Login.Api also emails every Account Manager). A step that does not fit changes and
    /// records nothing.
    /// </summary>
    public async Task<SpRolloverResult> RollOverAsync(string account, Func<string, Task<SpRolloverResult>> step, SettingsActor actor,
        CancellationToken cancellationToken)
    {
        var before = AllSpCertificates(await GetAsync(account));
        var result = await step(account);
        if (result == SpRolloverResult.Done)
        {
            var after = AllSpCertificates(await GetAsync(account));
            string[] changes =
            [
                .. after.Where(a => !before.Any(b => b.Certificate.Sha256Thumbprint == a.Certificate.Sha256Thumbprint && b.Certificate.State == a.Certificate.State))
                    .Select(a => $"SP {a.Use} certificate {a.Certificate.Sha256Thumbprint}: now {a.Certificate.State}"),
                .. before.Where(b => !after.Any(a => a.Certificate.Sha256Thumbprint == b.Certificate.Sha256Thumbprint))
                    .Select(b => $"SP {b.Use} certificate {b.Certificate.Sha256Thumbprint}: retired"),
            ];
            await loginApi.RecordSettingsChangeAsync(account, actor.UserId, changes, actor.Ip, cancellationToken);
        }
        return result;
    }

    private static List<(string Use, SpCertificateView Certificate)> AllSpCertificates(SsoSettingsView view) =>
    [
        .. view.SpCertificates.Select(c => (SpKeyUse.Signing, c)),
        .. (view.SpEncryptionCertificates ?? []).Select(c => (SpKeyUse.Encryption, c)),
    ];

    private void CheckEntityId(Dictionary<string, string[]> errors, string field, string entityId)
    {
        if (entityId.Length > MaxEntityIdLength || entityId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors[field] = [text["Valid_EntityIdFormat", MaxEntityIdLength]];
        }
    }

    private void CheckSsoUrl(Dictionary<string, string[]> errors, string field, string url,
        string messageKey = "Valid_SsoUrl")
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || url.Length > 2048
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && options.Value.AllowHttpIdp))
            || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            errors[field] = [text[messageKey]];
        }
    }

    private void CheckCertificates(Dictionary<string, string[]> errors, string field, IReadOnlyList<X509Certificate2> certificates)
    {
        if (certificates.Count > MaxCertificates)
        {
            errors[field] = [text["Valid_TooManyCertificates", MaxCertificates]];
            return;
        }
        foreach (var certificate in certificates)
        {
            using var rsa = certificate.GetRSAPublicKey();
            if (rsa is null || rsa.KeySize < 2048)
            {
                errors[field] = [text["Valid_WeakCertificate"]];
                return;
            }
        }
    }

    private static X509Certificate2? ParsePem(string pem)
    {
        try
        {
            // Public certificates only: a pasted private key is not what is asked for and is not kept.
            return pem.Contains("PRIVATE KEY", StringComparison.Ordinal) ? null : X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
