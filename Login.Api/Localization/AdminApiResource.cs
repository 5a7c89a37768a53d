namespace AccessPlatform.Login;

// In the root namespace, like the other markers: resource lookup maps it to Resources/AdminApiResource*.resx.
/// <summary>Marker for the titles and validation messages of the admin APIs (Resources/AdminApiResource*.resx).</summary>
public sealed class AdminApiResource;
