using System.ComponentModel.DataAnnotations;

namespace AccessPlatform.Login.Passkeys;

public sealed class PasskeyOptions
{
    public const string Section = "Login:Passkeys";

    /// <summary>Passkeys one user may register.</summary>
    [Range(1, 100)]
    public int MaxPerUser { get; set; } = 10;

    /// <summary>How long a registration or sign-in challenge is valid (single use in any case).</summary>
    [Range(1, 10)]
    public int ChallengeMinutes { get; set; } = 5;

    public TimeSpan ChallengeLifetime => TimeSpan.FromMinutes(ChallengeMinutes);
}
