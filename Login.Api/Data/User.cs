namespace AccessPlatform.Login.Data;

public static class Roles
{
    public const string AccountManager = "AccountManager";
    public const string User = "User";
}

/// <summary>A user row as the login path needs it.</summary>
public sealed record User
{
    public required Guid Id { get; init; }
    public required Guid AccountId { get; init; }
    public required string AccountKey { get; init; }
    public required string AccountName { get; init; }
    public required string Username { get; init; }
    public required string Email { get; init; }
    public string? Phone { get; init; }
    public string? PasswordHash { get; init; }
    public required string PreferredLanguage { get; init; }
    public required string[] Roles { get; init; }
    public required bool WebAccess { get; init; }
    public required string Status { get; init; }
    public required int FailedAttempts { get; init; }
    public DateTime? LockedUntil { get; init; }
    public required Guid SecurityStamp { get; init; }
    public required bool SsoEnforced { get; init; }
    public string? OtpChannel { get; init; }
    public string? TotpSecret { get; init; }

    /// <summary>The account lets users fall back to weaker second factors than their strongest (off by default).</summary>
    public bool SecondFactorFallback { get; init; }

    /// <summary>The user has registered at least one passkey.</summary>
    public bool HasPasskey { get; init; }

    /// <summary>Who in the account must have a passkey: <c>off</c>, <c>account-managers</c> or <c>everyone</c>.</summary>
    public string PasskeyPolicy { get; init; } = "off";

    /// <summary>The account's policy asks this user for a passkey they do not have yet.</summary>
    public bool MustAddPasskey => !HasPasskey && (PasskeyPolicy == "everyone" || (PasskeyPolicy == "account-managers" && IsAccountManager));

    public string? GivenName { get; init; }
    public string? FamilyName { get; init; }
    public DateTime CreatedAt { get; init; }

    /// <summary>The last successful sign-in (null: never): when, with what (password, passkey, sso) and the device's label.</summary>
    public DateTime? LastLoginAt { get; init; }
    public string? LastLoginMethod { get; init; }
    public string? LastLoginDevice { get; init; }

    public bool IsActive => Status == "active";

    public bool IsAccountManager => Roles.Contains(Data.Roles.AccountManager);
}
