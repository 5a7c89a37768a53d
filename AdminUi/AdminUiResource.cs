// Resource lookup starts at this root namespace (the assembly is AdminUi).
[assembly: Microsoft.Extensions.Localization.RootNamespace("AccessPlatform.AdminUi")]

namespace AccessPlatform.AdminUi;

/// <summary>Marker for the strings of the shared admin layout (Resources/AdminUiResource*.resx): navigation, language selector, footer.</summary>
public sealed class AdminUiResource;
