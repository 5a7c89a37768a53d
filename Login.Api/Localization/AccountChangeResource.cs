namespace AccessPlatform.Login;

/// <summary>
/// Marker for the strings of a user's own password, email and phone changes and of pending admin changes
/// (Resources/AccountChangeResource*.resx: pages, emails, SMS) in all twelve languages.
/// </summary>
public sealed class AccountChangeResource;
