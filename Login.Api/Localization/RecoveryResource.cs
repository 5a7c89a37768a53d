namespace AccessPlatform.Login;

/// <summary>
/// Marker for the recovery-code strings (the security page section, the page that shows new codes, "Use a recovery
/// code" on the code page, their emails, the admin "Reset second factors") in Resources/RecoveryResource*.resx, in all
/// twelve languages.
/// </summary>
public sealed class RecoveryResource;
