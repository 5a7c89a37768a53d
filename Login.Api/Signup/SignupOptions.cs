using System.ComponentModel.DataAnnotations;

namespace AccessPlatform.Login.Signup;

public sealed class SignupOptions
{
    public const string Section = "Signup";

    /// <summary>Self-service sign-up at <c>/signup</c>; off (the production default) answers 404 there and on its API.</summary>
    public bool Enabled { get; set; }

    /// <summary>When not empty, only email addresses of these domains may sign up (exact match, case-insensitive).</summary>
    public string[] AllowedEmailDomains { get; set; } = [];

    /// <summary>Lifetime of the activation link.</summary>
    [Range(1, 168)]
    public int ActivationLifetimeHours { get; set; } = 24;

    /// <summary>Pending sign-ups older than this are removed, which frees their account key and username again.</summary>
    [Range(1, 90)]
    public int PendingRetentionDays { get; set; } = 7;

    /// <summary>How often the removal runs.</summary>
    [Range(1, 1440)]
    public int CleanupIntervalMinutes { get; set; } = 60;

    public TimeSpan ActivationLifetime => TimeSpan.FromHours(ActivationLifetimeHours);
    public TimeSpan PendingRetention => TimeSpan.FromDays(PendingRetentionDays);
    public TimeSpan CleanupInterval => TimeSpan.FromMinutes(CleanupIntervalMinutes);

    public bool IsAllowedEmailDomain(string email)
    {
        if (AllowedEmailDomains is not { Length: > 0 })
        {
            return true;
        }
        var domain = email[(email.LastIndexOf('@') + 1)..];
        return AllowedEmailDomains.Any(d => string.Equals(d.Trim(), domain, StringComparison.OrdinalIgnoreCase));
    }
}
