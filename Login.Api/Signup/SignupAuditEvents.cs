namespace AccessPlatform.Login.Signup;

/// <summary>Audit event types of account creation, recorded in the new account's audit log (documented in docs/operations.md).</summary>
public static class SignupAuditEvents
{
    /// <summary>Reason <c>self-service</c> or <c>operator</c>; the user is the first Account Manager.</summary>
    public const string AccountCreated = "account.created";

    /// <summary>The activation link was used; the account is active.</summary>
    public const string AccountActivated = "account.activated";

    /// <summary>In the account of an existing user whose email address someone used to sign up (they got a notice).</summary>
    public const string SignupEmailInUse = "account.signup_email_in_use";

    /// <summary>A pending sign-up nobody confirmed was removed.</summary>
    public const string PendingRemoved = "account.pending_removed";

    public const string SelfService = "self-service";
    public const string Operator = "operator";
}
