// The assembly is Login.Api but its namespaces start at AccessPlatform.Login: resource lookup needs to know.
[assembly: Microsoft.Extensions.Localization.RootNamespace("AccessPlatform.Login")]

namespace AccessPlatform.Login;

/// <summary>Marker for the shared strings in Resources/SharedResource*.resx.</summary>
public sealed class SharedResource;

/// <summary>
/// Marker for the labels of the Account Manager pages (Resources/AdminResource.resx). English only for now, on
/// purpose: a separate file so the 12-language parity of <see cref="SharedResource"/> stays strict; translated copies
/// (AdminResource.de.resx, ...) can be added later without code changes.
/// </summary>
public sealed class AdminResource;
