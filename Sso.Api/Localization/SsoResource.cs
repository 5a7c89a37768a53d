// The assembly is Sso.Api but its namespaces start at AccessPlatform.Sso: resource lookup needs to know.
[assembly: Microsoft.Extensions.Localization.RootNamespace("AccessPlatform.Sso")]

namespace AccessPlatform.Sso;

/// <summary>Marker for the strings of the browser-facing pages in Resources/SsoResource*.resx.</summary>
public sealed class SsoResource;
