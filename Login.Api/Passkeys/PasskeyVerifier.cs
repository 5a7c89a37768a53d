using Fido2NetLib;
using Fido2NetLib.Exceptions;
using Fido2NetLib.Objects;

namespace AccessPlatform.Login.Passkeys;

/// <summary>What an assertion check found.</summary>
public abstract record AssertionCheck
{
    public sealed record Passed(uint SignCount) : AssertionCheck;

    /// <summary>Refused; <paramref name="Reason"/> is for the audit log (Fido2's error code), never for the client.</summary>
    public sealed record Refused(string Reason) : AssertionCheck;

    /// <summary>A non-zero signature counter that did not grow: a possible clone of the authenticator.</summary>
    public sealed record CounterNotGrowing(uint SignCount) : AssertionCheck;
}

/// <summary>
/// Checks an assertion against the stored passkey with Fido2: challenge, origin, RP ID hash, user presence and
/// verification (the options require it), signature, the user handle's ownership of the credential, and the counter.
/// No database, so the checks are unit-tested with real signatures.
/// </summary>
public sealed class PasskeyVerifier(IFido2 fido2)
{
    public async Task<AssertionCheck> VerifyAsync(AssertionOptions options, AuthenticatorAssertionRawResponse response, StoredPasskey stored)
    {
        if (options.UserVerification != UserVerificationRequirement.Required)
        {
            throw new InvalidOperationException("Passkeys are always asked with user verification required.");
        }
        if (response is not { RawId.Length: > 0, Response: { AuthenticatorData.Length: > 0, ClientDataJson.Length: > 0, Signature.Length: > 0 } })
        {
            return new AssertionCheck.Refused("incomplete");
        }
        try
        {
            var result = await fido2.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = response,
                OriginalOptions = options,
                StoredPublicKey = stored.PublicKey,
                StoredSignatureCounter = (uint)stored.SignCount,
                // A user handle, when the authenticator sends one (passwordless), must be the one registered with this credential.
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) => Task.FromResult(
                    args.CredentialId.AsSpan().SequenceEqual(stored.CredentialId) && args.UserHandle.AsSpan().SequenceEqual(stored.UserHandle)),
            });
            return new AssertionCheck.Passed(result.SignCount);
        }
        catch (Fido2VerificationException e) when (e.Code == Fido2ErrorCode.InvalidSignCount)
        {
            return new AssertionCheck.CounterNotGrowing(AuthenticatorSignCount(response));
        }
        catch (Fido2VerificationException e)
        {
            return new AssertionCheck.Refused(e.Code.ToString());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or System.Formats.Cbor.CborContentException
            or System.Text.Json.JsonException or IndexOutOfRangeException)
        {
            // Malformed input from the client: refused like a bad signature.
            return new AssertionCheck.Refused("malformed");
        }
    }

    /// <summary>The counter the authenticator claimed (bytes 33-36 of the authenticator data), for the audit record.</summary>
    private static uint AuthenticatorSignCount(AuthenticatorAssertionRawResponse response) =>
        response.Response.AuthenticatorData is { Length: >= 37 } data ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(33, 4)) : 0;
}
