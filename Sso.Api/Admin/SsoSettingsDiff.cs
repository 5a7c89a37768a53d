using System.Security.Cryptography;
using AccessPlatform.Sso.Data;

namespace AccessPlatform.Sso.Admin;

/// <summary>
/// What an SSO settings save changes, one line each, for the audit log and the Account Managers' email: the entity id
/// and SSO URL old → new, IdP certificates added and removed (SHA-256 thumbprints), and every flag that flips.
/// </summary>
public static class SsoSettingsDiff
{
    public static IReadOnlyList<string> Between(SsoConnection before, IdpSettings after)
    {
        var changes = new List<string>();
        Text(changes, "IdP entity id", before.IdpEntityId, after.EntityId);
        Text(changes, "IdP SSO URL", before.IdpSsoUrl, after.SsoUrl);
        Text(changes, "IdP SLO URL", before.IdpSloUrl, after.SloUrl);
        Text(changes, "IdP SLO response URL", before.IdpSloResponseUrl, after.SloResponseUrl);
        if (!string.Equals(before.MetadataUrl, after.MetadataUrl, StringComparison.Ordinal))
        {
            changes.Add($"IdP metadata URL: {before.MetadataUrl ?? "(none)"} → {after.MetadataUrl ?? "(none)"}");
        }
        var old = before.IdpCertificates.Select(c => Thumbprint(Convert.FromBase64String(c))).ToHashSet(StringComparer.Ordinal);
        var next = after.Certificates.Select(c => Thumbprint(c.RawData)).ToHashSet(StringComparer.Ordinal);
        changes.AddRange(next.Except(old).Order(StringComparer.Ordinal).Select(t => $"IdP certificate added: SHA-256 {t}"));
        changes.AddRange(old.Except(next).Order(StringComparer.Ordinal).Select(t => $"IdP certificate removed: SHA-256 {t}"));
        Flag(changes, "Enforce SSO", before.EnforceSso, after.EnforceSso);
        Flag(changes, "Create users on first SSO sign-in", before.JitProvisioning, after.JitProvisioning);
        Flag(changes, "Allow sign-in started at the IdP", before.AllowIdpInitiated, after.AllowIdpInitiated);
        Flag(changes, "Link existing users by email", before.LinkExistingUsersByEmail, after.LinkExistingUsersByEmail);
        Flag(changes, "Signed AuthnRequests", before.WantAuthnRequestsSigned, after.WantAuthnRequestsSigned);
        Flag(changes, "Require encrypted assertions", before.RequireEncryptedAssertions, after.RequireEncryptedAssertions);
        return changes;
    }

    private static string Thumbprint(byte[] der) => Convert.ToHexString(SHA256.HashData(der));

    private static void Text(List<string> changes, string name, string? before, string? after)
    {
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            changes.Add($"{name}: {before ?? "(none)"} → {after ?? "(none)"}");
        }
    }

    private static void Flag(List<string> changes, string name, bool before, bool after)
    {
        if (before != after)
        {
            changes.Add($"{name}: {(before ? "on" : "off")} → {(after ? "on" : "off")}");
        }
    }
}
