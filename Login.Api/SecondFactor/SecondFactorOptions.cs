namespace AccessPlatform.Login.SecondFactor;

public sealed class SecondFactorOptions
{
    public const string Section = "Login:SecondFactor";

    /// <summary>New devices must pass a second factor. Off only for benchmarks of the password path alone.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a code is valid; capped at 10 minutes whatever is configured (ASVS 6.5.5).</summary>
    public int CodeLifetimeMinutes { get; set; } = 10;

    /// <summary>Second-factor challenges one user may start per hour, whatever the channel (the authenticator app too).</summary>
    public int MaxChallengesPerHour { get; set; } = 10;

    /// <summary>Codes sent by SMS or email to one user per hour.</summary>
    public int MaxCodesPerHour { get; set; } = 5;
    public int ResendCooldownSeconds { get; set; } = 30;

    /// <summary>Trust of a device ends this long after the second factor that granted it; use does not extend it.</summary>
    public int DeviceTrustDays { get; set; } = 90;

    /// <summary>A publish that cannot reach the broker in this time fails, and the user is told.</summary>
    public int PublishTimeoutMs { get; set; } = 1000;

    public TimeSpan CodeLifetime => TimeSpan.FromMinutes(Math.Min(CodeLifetimeMinutes, 10));
    public TimeSpan DeviceTrust => TimeSpan.FromDays(DeviceTrustDays);
}
