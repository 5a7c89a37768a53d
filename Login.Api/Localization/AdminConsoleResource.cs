namespace AccessPlatform.Login;

/// <summary>
/// Marker for the strings of the admin console's working tools in Resources/AdminConsoleResource*.resx: the users
/// list's search, filters, sort and counts, the profile's last sign-in and confirmation of destructive actions, and
/// the audit log's filters and CSV export, in all twelve languages.
/// </summary>
public sealed class AdminConsoleResource;
