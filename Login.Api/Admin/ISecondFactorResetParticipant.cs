namespace AccessPlatform.Login.Admin;

/// <summary>
/// One kind of second factor that the Account Manager's "Reset second factors" removes. Each factor store joins with
/// one registration (<c>services.AddScoped&lt;ISecondFactorResetParticipant, ...&gt;()</c>), so a new factor (passkeys)
/// is reset too without touching <see cref="SecondFactorReset"/>.
/// </summary>
public interface ISecondFactorResetParticipant
{
    /// <summary>Stable name for the audit reason, e.g. <c>authenticator</c>.</summary>
    string Factor { get; }

    /// <summary>Removes the user's factors of this kind; true when there were any.</summary>
    Task<bool> ResetAsync(Guid userId);
}
