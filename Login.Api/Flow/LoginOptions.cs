namespace AccessPlatform.Login.Flow;

public sealed class LockoutOptions
{
    public const string Section = "Login:Lockout";

    /// <summary>Consecutive failed passwords that lock the account.</summary>
    public int Threshold { get; set; } = 5;

    /// <summary>Consecutive failed second factors, across any number of logins and channels, that lock the account.</summary>
    public int SecondFactorThreshold { get; set; } = 5;

    public int DurationMinutes { get; set; } = 15;

    public TimeSpan Duration => TimeSpan.FromMinutes(DurationMinutes);
}

public sealed class IpFailureBudgetOptions
{
    public const string Section = "Login:IpFailureBudget";

    /// <summary>Failed logins one client address may cause across all usernames per window (credential stuffing).</summary>
    public int MaxFailures { get; set; } = 50;
    public int WindowMinutes { get; set; } = 15;
}

public sealed class PlatformOptions
{
    /// <summary>The gateway's public address; links in messages are built from it, never from a request's Host.</summary>
    public Uri PublicOrigin { get; set; } = new("http://localhost:8080");
}
