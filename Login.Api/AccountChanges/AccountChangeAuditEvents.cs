namespace AccessPlatform.Login.AccountChanges;

/// <summary>Audit event types of password, email and phone changes (documented in docs/operations.md). Values never in them.</summary>
public static class AccountChangeAuditEvents
{
    /// <summary>The user changed their own password; reason <c>ended-other-sessions</c> or <c>kept-sessions</c>.</summary>
    public const string PasswordChanged = "password.changed";

    /// <summary>A password change with a wrong current password (counted like a failed login); reason <c>bad-password</c> or <c>locked</c>.</summary>
    public const string PasswordChangeFailed = "password.change_failed";

    /// <summary>A confirmation link went to a new address; reason <c>self</c> or <c>admin</c> (actor: the Account Manager).</summary>
    public const string EmailChangeRequested = "account.email_change_requested";

    /// <summary>The new address was confirmed from its link and is now the user's; reason says who had asked.</summary>
    public const string EmailChanged = "account.email_changed";

    /// <summary>A code (reason <c>self</c>) or a link (reason <c>admin</c>) went to a new number.</summary>
    public const string PhoneChangeRequested = "account.phone_change_requested";

    /// <summary>The new number was confirmed (by its code or link) and is now the user's.</summary>
    public const string PhoneChanged = "account.phone_changed";

    /// <summary>A wrong code for a new number (counted like a wrong second-factor code).</summary>
    public const string PhoneChangeFailed = "account.phone_change_failed";

    public const string Self = "self";
    public const string Admin = "admin";
}
