using System.Security.Cryptography;
using System.Text;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// The second factor a waiting login expects: the channel and, for a sent code, only its HMAC under a key of this
/// challenge, so a code from another challenge never matches.
/// </summary>
public sealed record CodeChallenge(string Channel, DateTime IssuedAt, string? CodeHash = null, string? CodeKey = null, Guid? MessageId = null)
{
    public static CodeChallenge ForCode(string channel, string code, DateTime issuedAt, Guid messageId)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        return new(channel, issuedAt, Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(code))), Convert.ToBase64String(key), messageId);
    }

    public bool Matches(string code)
    {
        if (CodeHash is null || CodeKey is null)
        {
            return false;
        }
        var actual = HMACSHA256.HashData(Convert.FromBase64String(CodeKey), Encoding.UTF8.GetBytes(code));
        return CryptographicOperations.FixedTimeEquals(actual, Convert.FromBase64String(CodeHash));
    }
}
