using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using NSec.Cryptography;

namespace AccessPlatform.Bench.AspNetIdentityPeer;

/// <summary>
/// The platform's hash in Identity's slot: Argon2id through libsodium (NSec), m=19 MiB, t=2, p=1, 16-byte salt,
/// 32-byte hash, the same PHC string as Login.Api's PasswordHasher, so the peer's second row differs from the platform
/// only in what surrounds the hash.
/// </summary>
public sealed class Argon2idPasswordHasher<TUser> : IPasswordHasher<TUser> where TUser : class
{
    private const int MemoryKiB = 19 * 1024;
    private const int Iterations = 2;
    private const string Parameters = "m=19456,t=2,p=1";
    private static readonly PasswordBasedKeyDerivationAlgorithm Argon2id = PasswordBasedKeyDerivationAlgorithm.Argon2id(
        new Argon2Parameters { MemorySize = MemoryKiB, NumberOfPasses = Iterations, DegreeOfParallelism = 1 });

    public string HashPassword(TUser user, string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Derive(password, salt, 32);
        return $"$argon2id$v=19${Parameters}${B64(salt)}${B64(hash)}";
    }

    public PasswordVerificationResult VerifyHashedPassword(TUser user, string hashedPassword, string providedPassword)
    {
        // Only this class writes these strings, with these parameters: anything else is a failed verification.
        if (hashedPassword.Split('$') is not ["", "argon2id", "v=19", Parameters, string salt, string hash])
        {
            return PasswordVerificationResult.Failed;
        }
        var expected = FromB64(hash);
        return CryptographicOperations.FixedTimeEquals(Derive(providedPassword, FromB64(salt), expected.Length), expected)
            ? PasswordVerificationResult.Success
            : PasswordVerificationResult.Failed;
    }

    private static byte[] Derive(string password, byte[] salt, int length) =>
        Argon2id.DeriveBytes(Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormC)), salt, length);

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] FromB64(string value) => Convert.FromBase64String(value.PadRight(value.Length + (4 - value.Length % 4) % 4, '='));
}
