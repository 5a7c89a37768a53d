namespace AccessPlatform.Login;

/// <summary>
/// Marker for the "temporarily unavailable" strings in Resources/AvailabilityResource*.resx: the page a browser sees
/// when Redis, Postgres or the broker is down (see DependencyUnavailableExceptionHandler), and the page of a missing
/// address or another bodiless error (Errors/StatusCodePage), in all twelve languages.
/// </summary>
public sealed class AvailabilityResource;
