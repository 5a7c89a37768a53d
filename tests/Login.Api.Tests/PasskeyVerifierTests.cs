using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AccessPlatform.Login.Passkeys;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.AspNetCore.WebUtilities;

namespace AccessPlatform.Login.Tests;

/// <summary>
/// The assertion checks of a passkey sign-in (ASVS 6.3 / NIST 800-63B 5.2.5 verifier-impersonation resistance), with
/// the real Fido2 and this platform's relying-party configuration: assertions built here from an ECDSA P-256 key, real
/// signatures over real authenticator data, no mocks. Each refusal test differs from the passing one in one thing.
/// </summary>
public sealed class PasskeyVerifierTests
{
    private static readonly Uri PublicOrigin = new("https://login.example.test");
    private static readonly byte[] CredentialId = RandomNumberGenerator.GetBytes(32);
    private static readonly Guid UserId = Guid.NewGuid();

    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly IFido2 fido2 = PasskeyFido2.Create(PublicOrigin, TimeSpan.FromMinutes(5));

    private PasskeyVerifier Verifier => new(fido2);

    private StoredPasskey Stored(long signCount) =>
        new(Guid.NewGuid(), UserId, CredentialId, CosePublicKey(key), signCount, PasskeyService.UserHandleOf(UserId));

    private AssertionOptions Options() => fido2.GetAssertionOptions(new GetAssertionOptionsParams
    {
        AllowedCredentials = [new PublicKeyCredentialDescriptor(CredentialId)],
        UserVerification = UserVerificationRequirement.Required,
    });

    [Fact]
    public async Task A_right_assertion_passes_and_reports_the_new_counter()
    {
        var options = Options();

        var check = await Verifier.VerifyAsync(options, Assertion(options, signCount: 5), Stored(signCount: 4));

        Assert.Equal(new AssertionCheck.Passed(5), check);
    }

    [Fact]
    public async Task An_assertion_made_for_another_origin_is_refused()
    {
        var options = Options();

        var check = await Verifier.VerifyAsync(options, Assertion(options, signCount: 5, origin: "https://login.example.test.evil.example"), Stored(4));

        Assert.Equal(new AssertionCheck.Refused("InvalidAuthenticatorResponseOrigin"), check);
    }

    [Fact]
    public async Task An_assertion_scoped_to_another_rp_id_is_refused()
    {
        var options = Options();

        var check = await Verifier.VerifyAsync(options, Assertion(options, signCount: 5, rpId: "evil.example"), Stored(4));

        Assert.Equal(new AssertionCheck.Refused("InvalidRpidHash"), check);
    }

    [Fact]
    public async Task An_assertion_without_user_verification_is_refused()
    {
        var options = Options();

        var check = await Verifier.VerifyAsync(options, Assertion(options, signCount: 5, userVerified: false), Stored(4));

        Assert.Equal(new AssertionCheck.Refused("UserVerificationRequirementNotMet"), check);
    }

    [Fact]
    public async Task A_counter_going_backwards_is_reported_as_a_possible_clone()
    {
        var options = Options();

        var check = await Verifier.VerifyAsync(options, Assertion(options, signCount: 7), Stored(signCount: 10));

        Assert.Equal(new AssertionCheck.CounterNotGrowing(7), check);
    }

    [Fact]
    public async Task A_counter_standing_still_is_reported_as_a_possible_clone()
    {
        var options = Options();

        var check = await Verifier.VerifyAsync(options, Assertion(options, signCount: 10), Stored(signCount: 10));

        Assert.Equal(new AssertionCheck.CounterNotGrowing(10), check);
    }

    [Fact]
    public async Task An_authenticator_without_a_counter_stays_at_zero_and_passes()
    {
        var options = Options();

        var check = await Verifier.VerifyAsync(options, Assertion(options, signCount: 0), Stored(signCount: 0));

        Assert.Equal(new AssertionCheck.Passed(0), check);
    }

    [Fact]
    public async Task An_assertion_signed_by_another_key_is_refused()
    {
        var options = Options();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var check = await Verifier.VerifyAsync(options, Assertion(options, signCount: 5, signer: other), Stored(4));

        Assert.Equal(new AssertionCheck.Refused("InvalidSignature"), check);
    }

    [Fact]
    public async Task An_assertion_answering_another_challenge_is_refused()
    {
        var options = Options();
        var earlier = Options();

        var check = await Verifier.VerifyAsync(options, Assertion(earlier, signCount: 5), Stored(4));

        Assert.Equal(new AssertionCheck.Refused("InvalidAuthenticatorResponseChallenge"), check);
    }

    [Fact]
    public async Task An_assertion_naming_another_user_handle_is_refused()
    {
        var options = Options();

        var check = await Verifier.VerifyAsync(options, Assertion(options, signCount: 5, userHandle: PasskeyService.UserHandleOf(Guid.NewGuid())), Stored(4));

        Assert.IsType<AssertionCheck.Refused>(check);
    }

    [Fact]
    public async Task The_browsers_credential_json_reads_back_into_an_assertion_that_passes()
    {
        var options = Options();
        var assertion = Assertion(options, signCount: 5);
        // What PublicKeyCredential.toJSON() sends (passkeys.js posts it as the page's "credential" field).
        var json = JsonSerializer.Serialize(new
        {
            id = WebEncoders.Base64UrlEncode(CredentialId),
            rawId = WebEncoders.Base64UrlEncode(CredentialId),
            type = "public-key",
            authenticatorAttachment = "platform",
            response = new
            {
                clientDataJSON = WebEncoders.Base64UrlEncode(assertion.Response.ClientDataJson),
                authenticatorData = WebEncoders.Base64UrlEncode(assertion.Response.AuthenticatorData),
                signature = WebEncoders.Base64UrlEncode(assertion.Response.Signature),
                userHandle = WebEncoders.Base64UrlEncode(assertion.Response.UserHandle!),
            },
            clientExtensionResults = new { },
        });

        var read = PasskeyJson.ReadAssertion(json);

        Assert.NotNull(read);
        Assert.Equal(new AssertionCheck.Passed(5), await Verifier.VerifyAsync(options, read, Stored(4)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"rawId\": \"%%%\"}")]
    [InlineData("[1,2,3]")]
    public void Malformed_credential_json_reads_as_nothing(string json) => Assert.Null(PasskeyJson.ReadAssertion(json));

    [Fact]
    public async Task An_incomplete_assertion_is_refused_without_reaching_fido2()
    {
        var options = Options();
        var whole = Assertion(options, signCount: 5);
        var assertion = new AuthenticatorAssertionRawResponse
        {
            Id = whole.Id, RawId = whole.RawId, Type = whole.Type, ClientExtensionResults = whole.ClientExtensionResults,
            Response = new AuthenticatorAssertionRawResponse.AssertionResponse
            {
                AuthenticatorData = whole.Response.AuthenticatorData, ClientDataJson = whole.Response.ClientDataJson, Signature = [],
            },
        };

        Assert.Equal(new AssertionCheck.Refused("incomplete"), await Verifier.VerifyAsync(options, assertion, Stored(4)));
    }

    /// <summary>What an authenticator returns for <paramref name="options"/>, one detail changeable at a time.</summary>
    private AuthenticatorAssertionRawResponse Assertion(AssertionOptions options, uint signCount, string? origin = null, string? rpId = null,
        bool userVerified = true, ECDsa? signer = null, byte[]? userHandle = null)
    {
        var authenticatorData = new byte[37];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId ?? PublicOrigin.Host)).CopyTo(authenticatorData, 0);
        authenticatorData[32] = (byte)(0x01 | (userVerified ? 0x04 : 0)); // UP, UV
        BinaryPrimitives.WriteUInt32BigEndian(authenticatorData.AsSpan(33), signCount);
        var clientData = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "webauthn.get",
            challenge = WebEncoders.Base64UrlEncode(options.Challenge),
            origin = origin ?? PublicOrigin.GetLeftPart(UriPartial.Authority),
            crossOrigin = false,
        });
        var signature = (signer ?? key).SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence);
        return new AuthenticatorAssertionRawResponse
        {
            Id = WebEncoders.Base64UrlEncode(CredentialId),
            RawId = CredentialId,
            Type = PublicKeyCredentialType.PublicKey,
            Response = new AuthenticatorAssertionRawResponse.AssertionResponse
            {
                AuthenticatorData = authenticatorData,
                ClientDataJson = clientData,
                Signature = signature,
                UserHandle = userHandle ?? PasskeyService.UserHandleOf(UserId),
            },
            ClientExtensionResults = new AuthenticationExtensionsClientOutputs(),
        };
    }

    /// <summary>The COSE_Key (RFC 9053, EC2 P-256, ES256) an authenticator would have registered for <paramref name="ecdsa"/>.</summary>
    private static byte[] CosePublicKey(ECDsa ecdsa)
    {
        var point = ecdsa.ExportParameters(false).Q;
        var cbor = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cbor.WriteStartMap(5);
        cbor.WriteInt32(1); cbor.WriteInt32(2);    // kty: EC2
        cbor.WriteInt32(3); cbor.WriteInt32(-7);   // alg: ES256
        cbor.WriteInt32(-1); cbor.WriteInt32(1);   // crv: P-256
        cbor.WriteInt32(-2); cbor.WriteByteString(point.X!);
        cbor.WriteInt32(-3); cbor.WriteByteString(point.Y!);
        cbor.WriteEndMap();
        return cbor.Encode();
    }
}
