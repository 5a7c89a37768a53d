using AccessPlatform.Login.Flow;
using Fido2NetLib;

namespace AccessPlatform.Login.Passkeys;

/// <summary>
/// The relying party as Fido2 sees it: RP ID = host of <see cref="PlatformOptions.PublicOrigin"/>, and that origin is the
/// only one accepted, never a request's Host. One place, so the service and its unit tests check the same things.
/// </summary>
public static class PasskeyFido2
{
    public static Fido2Configuration Configuration(Uri publicOrigin, TimeSpan challengeLifetime) => new()
    {
        RPID = publicOrigin.Host,
        RPName = "Access Platform",
        Origins = new HashSet<string> { publicOrigin.GetLeftPart(UriPartial.Authority) },
        Timeout = (uint)challengeLifetime.TotalMilliseconds,
        // 32 random bytes per challenge (Fido2's default is 16).
        ChallengeSize = 32,
    };

    public static IFido2 Create(Uri publicOrigin, TimeSpan challengeLifetime) => new Fido2(Configuration(publicOrigin, challengeLifetime), null!);
}
