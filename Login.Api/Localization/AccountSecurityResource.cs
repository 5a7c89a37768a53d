namespace AccessPlatform.Login;

/// <summary>
/// Marker for the strings of the account security page (/account/security) in Resources/AccountSecurityResource*.resx,
/// in all twelve languages.
/// </summary>
public sealed class AccountSecurityResource;
