namespace AccessPlatform.Login;

/// <summary>
/// Marker for the "temporarily unavailable" strings in Resources/AvailabilityResource*.resx: the page a browser sees
/// when Redis, Postgres or the broker is down (see DependencyUnavailableExceptionHandler), in all twelve languages.
/// </summary>
public sealed class AvailabilityResource;
