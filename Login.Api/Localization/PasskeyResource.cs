namespace AccessPlatform.Login;

/// <summary>Marker for the passkey strings in Resources/PasskeyResource*.resx (security page, login, code and re-authentication pages, admin policy), in all twelve languages.</summary>
public sealed class PasskeyResource;
