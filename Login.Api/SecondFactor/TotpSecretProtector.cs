using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// Authenticator secrets at rest: encrypted with the platform's Data Protection key ring (ASVS: secrets that must be
/// read back are encrypted, not hashed). A stored value that starts with <see cref="Prefix"/> is protected; one that
/// does not is a plain Base32 secret written before encryption existed, readable only until
/// <see cref="TotpSecretMigration"/> has encrypted every such row.
/// </summary>
public sealed class TotpSecretProtector(IDataProtectionProvider provider)
{
    public const string Purpose = "AccessPlatform.Login.TotpSecret.v1";
    public const string Prefix = "dp1:";

    private readonly IDataProtector protector = provider.CreateProtector(Purpose);
    private volatile bool acceptsLegacy = true;

    /// <summary>True until the start-up migration found no plain-text secret left.</summary>
    public bool AcceptsLegacy => acceptsLegacy;

    public void LegacyMigrated() => acceptsLegacy = false;

    public string Protect(string secret) => Prefix + protector.Protect(secret);

    public static bool IsProtected(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The Base32 secret; null when the value is tampered, protected with an unknown key, or plain after migration.</summary>
    public string? Unprotect(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return null;
        }
        if (IsProtected(stored))
        {
            try
            {
                return protector.Unprotect(stored[Prefix.Length..]);
            }
            catch (CryptographicException)
            {
                return null;
            }
        }
        return acceptsLegacy && IsBase32(stored) ? stored : null;
    }

    private static bool IsBase32(string value) => value.Length is >= 16 and <= 128 && value.All(c => c is >= 'A' and <= 'Z' or >= '2' and <= '7' or '=');
}
