using Microsoft.Extensions.Hosting;

namespace AccessPlatform.Login.Flow;

public sealed class LockoutOptions
{
    public const string Section = "Login:Lockout";

    /// <summary>Consecutive failed passwords that lock the account.</summary>
    public int Threshold { get; set; } = 5;

    /// <summary>Consecutive failed second factors, across any number of logins and channels, that lock the account.</summary>
    public int SecondFactorThreshold { get; set; } = 5;

    /// <summary>The first lock period; each further lock in a row lasts twice as long, up to <see cref="MaxDurationHours"/>.</summary>
    public int DurationMinutes { get; set; } = 15;

    public int MaxDurationHours { get; set; } = 24;

    /// <summary>Consecutive failures after which the account stays locked until a reset or an Account Manager's unlock (NIST 800-63B: at most 100).</summary>
    public int PermanentAfterFailures { get; set; } = 100;

    /// <summary>How long a password guess waits for a free slot while other guesses of the same user are being checked.</summary>
    public int ClaimWaitMs { get; set; } = 3000;

    public TimeSpan Duration => TimeSpan.FromMinutes(DurationMinutes);
}

public sealed class IpFailureBudgetOptions
{
    public const string Section = "Login:IpFailureBudget";

    /// <summary>Failed logins one client address may cause across all usernames per window (credential stuffing).</summary>
    public int MaxFailures { get; set; } = 50;
    public int WindowMinutes { get; set; } = 15;

    /// <summary>IPv6 clients share one budget per network of this prefix, as at the gateway.</summary>
    public int Ipv6Prefix { get; set; } = ClientPartition.DefaultIpv6Prefix;
}

public sealed class PlatformOptions
{
    /// <summary>The gateway's public address; links in messages are built from it, never from a request's Host.</summary>
    public Uri PublicOrigin { get; set; } = new("http://localhost:8080");
}
