namespace AccessPlatform.Login;

/// <summary>
/// Marker for the SSO link strings in Resources/SsoLinkResource*.resx (the "Link your company sign-in" page, the links
/// on the security page and the admin profile, the link, welcome and settings-change emails), in all twelve languages.
/// </summary>
public sealed class SsoLinkResource;
