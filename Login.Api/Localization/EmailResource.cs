namespace AccessPlatform.Login;

/// <summary>
/// Marker for the strings of the one email layout in Resources/EmailResource*.resx (buttons, why the user got the
/// email, the footer), in all twelve languages. The messages themselves stay with their features' resources.
/// </summary>
public sealed class EmailResource;
