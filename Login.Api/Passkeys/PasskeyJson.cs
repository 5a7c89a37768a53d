using System.Text.Json;
using Fido2NetLib;

namespace AccessPlatform.Login.Passkeys;

/// <summary>
/// The browser's credential JSON, from a page's form field or an API body. Read here rather than bound by the
/// framework: Fido2's base64url converters throw <see cref="FormatException"/> on hostile input, which must be a 400.
/// </summary>
public static class PasskeyJson
{
    /// <summary>Far beyond any assertion (a few hundred bytes) or attestation without certificates.</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>Where a user is sent right after signing in when the account's policy asks for a passkey they lack.</summary>
    public const string RequiredPage = "/account/security?passkeyRequired=true#passkeys";

    public static AuthenticatorAssertionRawResponse? ReadAssertion(string? json) => Read<AuthenticatorAssertionRawResponse>(json);

    public static AuthenticatorAssertionRawResponse? ReadAssertion(JsonElement? json) => Read<AuthenticatorAssertionRawResponse>(json);

    public static AuthenticatorAttestationRawResponse? ReadAttestation(JsonElement? json) => Read<AuthenticatorAttestationRawResponse>(json);

    private static T? Read<T>(JsonElement? json) where T : class =>
        json is { ValueKind: JsonValueKind.Object } element ? Read<T>(element.GetRawText()) : null;

    private static T? Read<T>(string? json) where T : class
    {
        if (json is not { Length: > 0 and <= MaxLength })
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(json);
        }
        catch (Exception e) when (e is JsonException or FormatException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
