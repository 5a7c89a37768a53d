using System.Text.Json;
using AccessPlatform.Login.Audit;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Localization;
using AccessPlatform.Login.Notifications;
using Microsoft.Extensions.Localization;
using Fido2NetLib;
using Fido2NetLib.Exceptions;
using Fido2NetLib.Objects;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Passkeys;

public abstract record RegistrationResult
{
    public sealed record Added(PasskeyView Passkey) : RegistrationResult;

    /// <summary>No challenge for this session (never asked, expired, or used already).</summary>
    public sealed record ChallengeGone : RegistrationResult;

    /// <summary>Fido2 refused the attestation (origin, RP ID, user verification, challenge, format).</summary>
    public sealed record Refused : RegistrationResult;

    public sealed record TooMany : RegistrationResult;
}

/// <summary>Who an assertion proved, or nothing.</summary>
public sealed record PasskeyProof(Guid UserId, Guid PasskeyId);

/// <summary>
/// Registering, using and managing passkeys (WebAuthn through Fido2, no hand-written CBOR or COSE). Registration asks
/// for a discoverable credential with user verification and no attestation; every challenge is single use and
/// expires after <see cref="PasskeyOptions.ChallengeLifetime"/>. Every change and every refused use is audited.
/// </summary>
public sealed class PasskeyService(IFido2 fido2, PasskeyVerifier verifier, PasskeyStore store, PasskeyChallengeStore challenges,
    PasskeyLoginBinding signInBinding, AuditLog audit, IOptions<PasskeyOptions> options, TimeProvider clock,
    UserNotifier notifier, NotificationOutbox outbox, IStringLocalizer<PasskeyResource> text, EmailComposer emails)
{
    public const int MaxNameLength = 64;

    private const string Registration = "registration";
    private const string Reauthentication = "reauthentication";

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The user handle the authenticator stores: the user id's 16 bytes (random, no personal data).</summary>
    public static byte[] UserHandleOf(Guid userId) => userId.ToByteArray();

    /// <summary>Creation options for the browser, bound to <paramref name="sessionHandle"/>; null when the user has the maximum already.</summary>
    public async Task<CredentialCreateOptions?> BeginRegistrationAsync(User user, string sessionHandle)
    {
        var existing = await store.CredentialIdsAsync(user.Id);
        if (existing.Count >= options.Value.MaxPerUser)
        {
            return null;
        }
        var creation = fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = UserHandleOf(user.Id), Name = user.Username, DisplayName = user.Username },
            ExcludeCredentials = [.. existing.Select(id => new PublicKeyCredentialDescriptor(id))],
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Required,
                UserVerification = UserVerificationRequirement.Required,
            },
            AttestationPreference = AttestationConveyancePreference.None,
            PubKeyCredParams = [PubKeyCredParam.ES256, PubKeyCredParam.RS256, PubKeyCredParam.Ed25519],
        });
        await challenges.SaveAsync(Registration, sessionHandle, creation.ToJson());
        return creation;
    }

    public async Task<RegistrationResult> CompleteRegistrationAsync(User user, string sessionHandle, string name,
        AuthenticatorAttestationRawResponse response, string? ip)
    {
        if (await challenges.TakeAsync(Registration, sessionHandle) is not { } json)
        {
            return new RegistrationResult.ChallengeGone();
        }
        var creation = CredentialCreateOptions.FromJson(json);
        if (!creation.User.Id.AsSpan().SequenceEqual(UserHandleOf(user.Id)))
        {
            return new RegistrationResult.ChallengeGone();
        }
        RegisteredPublicKeyCredential credential;
        try
        {
            credential = await fido2.MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = response,
                OriginalOptions = creation,
                IsCredentialIdUniqueToUserCallback = async (args, _) => !await store.CredentialIdExistsAsync(args.CredentialId),
            });
        }
        catch (Exception e) when (e is Fido2VerificationException or FormatException or ArgumentException or JsonException
            or System.Formats.Cbor.CborContentException or InvalidOperationException)
        {
            await audit.RecordAsync(AuditEvents.PasskeyRefused, user.AccountId, user.Id,
                $"registration:{(e as Fido2VerificationException)?.Code.ToString() ?? "malformed"}", ip: ip);
            return new RegistrationResult.Refused();
        }
        var id = await store.AddAsync(new NewPasskey(user.Id, credential.Id, credential.PublicKey, credential.SignCount, UserHandleOf(user.Id), name),
            options.Value.MaxPerUser, Now);
        if (id is null)
        {
            return new RegistrationResult.TooMany();
        }
        await audit.RecordAsync(AuditEvents.PasskeyAdded, user.AccountId, user.Id, name, ip: ip);
        await EmailAsync(user, "Email_PasskeyAdded", name);
        return new RegistrationResult.Added(new PasskeyView(id.Value, name, Now, null));
    }

    /// <summary>
    /// Request options for a sign-in or re-authentication: user verification required; for a known user only their
    /// own passkeys, for a passwordless sign-in none (the authenticator offers its discoverable ones).
    /// </summary>
    public async Task<AssertionOptions> AssertionOptionsAsync(Guid? userId) =>
        fido2.GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = userId is { } id ? [.. (await store.CredentialIdsAsync(id)).Select(c => new PublicKeyCredentialDescriptor(c))] : [],
            UserVerification = UserVerificationRequirement.Required,
        });

    /// <summary>
    /// Checks an assertion answering <paramref name="assertionOptions"/>; for <paramref name="expectedUserId"/> only that user's
    /// passkeys count. A counter that does not grow is refused and audited as a possible clone.
    /// </summary>
    public async Task<PasskeyProof?> VerifyAsync(AssertionOptions assertionOptions, AuthenticatorAssertionRawResponse response, Guid? expectedUserId,
        Guid? accountId, string? ip)
    {
        if (response is not { RawId.Length: > 0 and <= 1023 } || await store.FindAsync(response.RawId) is not { } stored
            || (expectedUserId is { } expected && stored.UserId != expected))
        {
            await audit.RecordAsync(AuditEvents.PasskeyRefused, accountId, expectedUserId, "unknown-credential", ip: ip);
            return null;
        }
        switch (await verifier.VerifyAsync(assertionOptions, response, stored))
        {
            case AssertionCheck.Passed passed when await store.RecordUseAsync(stored.Id, stored.SignCount, passed.SignCount, Now):
                return new PasskeyProof(stored.UserId, stored.Id);
            case AssertionCheck.Passed:
                await audit.RecordAsync(AuditEvents.PasskeyRefused, accountId, stored.UserId, "concurrent-use", ip: ip);
                return null;
            case AssertionCheck.CounterNotGrowing counter:
                await audit.RecordAsync(AuditEvents.PasskeyCloneSuspected, accountId, stored.UserId,
                    $"stored:{stored.SignCount} presented:{counter.SignCount} passkey:{stored.Id}", ip: ip);
                return null;
            case AssertionCheck.Refused refused:
                await audit.RecordAsync(AuditEvents.PasskeyRefused, accountId, stored.UserId, refused.Reason, ip: ip);
                return null;
            default:
                return null;
        }
    }

    /// <summary>Passwordless sign-in, first half: options for any discoverable passkey, bound to this browser by a cookie.</summary>
    public async Task<AssertionOptions> BeginSignInAsync(HttpContext http)
    {
        var assertion = await AssertionOptionsAsync(null);
        await challenges.SaveAsync(PasskeyLoginBinding.Purpose, signInBinding.Issue(http, options.Value.ChallengeLifetime), assertion.ToJson());
        return assertion;
    }

    /// <summary>The options this browser was given for a passwordless sign-in, once; null when none are pending.</summary>
    public async Task<AssertionOptions?> TakeSignInOptionsAsync(HttpContext http) =>
        signInBinding.Take(http) is { } secret && await challenges.TakeAsync(PasskeyLoginBinding.Purpose, secret) is { } json
            ? AssertionOptions.FromJson(json)
            : null;

    /// <summary>Re-authentication with a passkey, first half: options for the user's own passkeys, bound to the session.</summary>
    public async Task<AssertionOptions> BeginReauthenticationAsync(Guid userId, string sessionHandle)
    {
        var assertion = await AssertionOptionsAsync(userId);
        await challenges.SaveAsync(Reauthentication, sessionHandle, assertion.ToJson());
        return assertion;
    }

    public async Task<AssertionOptions?> TakeReauthenticationOptionsAsync(string sessionHandle) =>
        await challenges.TakeAsync(Reauthentication, sessionHandle) is { } json ? AssertionOptions.FromJson(json) : null;

    public Task<IReadOnlyList<PasskeyView>> ListAsync(Guid userId) => store.ListAsync(userId);

    public async Task<bool> RenameAsync(User user, Guid id, string name, string? ip)
    {
        if (!await store.RenameAsync(user.Id, id, name))
        {
            return false;
        }
        await audit.RecordAsync(AuditEvents.PasskeyRenamed, user.AccountId, user.Id, name, ip: ip);
        return true;
    }

    public async Task<bool> RemoveAsync(User user, Guid id, string? ip)
    {
        if (await store.RemoveAsync(user.Id, id) is not { } name)
        {
            return false;
        }
        await audit.RecordAsync(AuditEvents.PasskeyRemoved, user.AccountId, user.Id, id.ToString(), ip: ip);
        await EmailAsync(user, "Email_PasskeyRemoved", name);
        return true;
    }

    /// <summary>ASVS 6.3.7: the user hears of every passkey added or removed, in their language.</summary>
    private Task EmailAsync(User user, string key, string passkeyName)
    {
        var arguments = new object[] { user.Username, passkeyName, clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm"), notifier.Link("/forgot-password") };
        return outbox.PublishAsync(emails.Compose(Guid.NewGuid(), user.Email, user.PreferredLanguage, text, key + "_Subject", key + "_Body",
            NotificationPurpose.AuthenticatorChanged, arguments));
    }

    /// <summary>A name as the user typed it, trimmed; null when empty, too long or containing control characters.</summary>
    public static string? CleanName(string? name) =>
        name?.Trim() is { Length: > 0 and <= MaxNameLength } clean && !clean.Any(char.IsControl) ? clean : null;
}
