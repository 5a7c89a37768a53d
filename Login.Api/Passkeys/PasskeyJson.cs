using System.Text.Json;
using Fido2NetLib;

namespace AccessPlatform.Login.Passkeys;

/// <summary>The browser's credential JSON as the pages receive it in a form field (the APIs bind it directly).</summary>
public static class PasskeyJson
{
    /// <summary>Far beyond any assertion (a few hundred bytes) or attestation without certificates.</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>Where a user is sent right after signing in when the account's policy asks for a passkey they lack.</summary>
    public const string RequiredPage = "/account/security?passkeyRequired=true#passkeys";

    public static AuthenticatorAssertionRawResponse? ReadAssertion(string? json)
    {
        if (json is not { Length: > 0 and <= MaxLength })
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<AuthenticatorAssertionRawResponse>(json);
        }
        catch (Exception e) when (e is JsonException or FormatException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }
}
