namespace AccessPlatform.Login.Sessions;

/// <summary>
/// The IdP identity a session was signed in with: single logout needs the NameID (and format) and the SessionIndex,
/// both ways. Kept with the session in Redis, never logged.
/// </summary>
public sealed record SsoSessionOrigin(string IdpEntityId, string NameId, string? NameIdFormat, string? SessionIndex);
