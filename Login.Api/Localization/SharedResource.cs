// The assembly is Login.Api but its namespaces start at AccessPlatform.Login: resource lookup needs to know.
[assembly: Microsoft.Extensions.Localization.RootNamespace("AccessPlatform.Login")]

namespace AccessPlatform.Login;

/// <summary>Marker for the shared strings in Resources/SharedResource*.resx.</summary>
public sealed class SharedResource;

/// <summary>Marker for the labels of the Account Manager pages (Resources/AdminResource*.resx), with the audit event names and reasons.</summary>
public sealed class AdminResource;
