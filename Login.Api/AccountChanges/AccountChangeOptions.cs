using System.ComponentModel.DataAnnotations;

namespace AccessPlatform.Login.AccountChanges;

public sealed class AccountChangeOptions
{
    public const string Section = "Login:AccountChanges";

    /// <summary>How long the confirmation link of an email change (or of a phone change an Account Manager made) works.</summary>
    [Range(1, 72)]
    public int ConfirmationLifetimeHours { get; set; } = 24;

    /// <summary>After an email change, this long a password reset also tells the previous address.</summary>
    [Range(1, 720)]
    public int PreviousEmailNoticeHours { get; set; } = 24;

    /// <summary>Email-change links one user may have sent per hour (each goes to an address they typed).</summary>
    [Range(1, 20)]
    public int MaxEmailChangesPerHour { get; set; } = 3;

    public TimeSpan ConfirmationLifetime => TimeSpan.FromHours(ConfirmationLifetimeHours);
    public TimeSpan PreviousEmailNotice => TimeSpan.FromHours(PreviousEmailNoticeHours);
}
