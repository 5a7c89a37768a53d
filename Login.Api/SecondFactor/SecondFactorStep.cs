using System.Security.Cryptography;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Localization;
using AccessPlatform.Login.Notifications;
using AccessPlatform.Login.Telemetry;
using MassTransit;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.SecondFactor;

public sealed record ChannelOption(string Channel, string Destination);

public abstract record SendResult
{
    public sealed record Sent(string Channel, string Destination) : SendResult;
    public sealed record Cooldown(int Seconds) : SendResult;
    public sealed record TooManyCodes : SendResult;
    public sealed record UnknownChannel : SendResult;
    /// <summary>The broker did not take the message in time: nothing was sent, the user can retry.</summary>
    public sealed record Undeliverable(string Destination) : SendResult;
    public sealed record ChallengeGone : SendResult;
}

public abstract record VerifyResult
{
    public sealed record Verified(User User, Challenge Challenge) : VerifyResult;
    public sealed record Wrong : VerifyResult;
    /// <summary>Expired, used, too many wrong codes or locked: the user must sign in again.</summary>
    public sealed record ChallengeGone : VerifyResult;
}

/// <summary>
/// Step 3: a one-time code sent by SMS or email. 6 digits from a CSPRNG, bound to one challenge, stored as an HMAC,
/// valid 10 minutes, single use, 5 wrong codes kill the challenge, 5 codes per user per hour, resend after 30 s.
/// Wrong codes count toward the account lockout like wrong passwords.
/// </summary>
public sealed partial class SecondFactorStep(
    ChallengeStore challenges, UserStore users, Authenticator authenticator, IPublishEndpoint publisher, IStringLocalizer<SharedResource> text, UserNotifier notifier,
    IOptions<SecondFactorOptions> options, IOptions<LockoutOptions> lockout, TimeProvider clock, LoginMetrics metrics, AuditLog audit,
    ILogger<SecondFactorStep> logger)
{
    private SecondFactorOptions Settings => options.Value;

    public async Task<string> BeginAsync(User user, LoginContext context)
    {
        var flowId = await challenges.CreateAsync(new Challenge(user.Id, context.MessageLanguage(user), context.DeviceLabel, context.Ip,
            clock.GetUtcNow().UtcDateTime));
        await audit.RecordAsync(AuditEvents.SecondFactorRequired, user.AccountId, user.Id, ip: context.Ip);
        return flowId;
    }

    /// <summary>The authenticator app first: SMS is offered only beside stronger options (ASVS 6.6.1).</summary>
    public static IReadOnlyList<ChannelOption> ChannelsOf(User user) =>
    [
        .. user.TotpSecret is not null ? [new ChannelOption("totp", "")] : Array.Empty<ChannelOption>(),
        .. user.Phone is { } phone ? [new ChannelOption("sms", Masking.Phone(phone))] : Array.Empty<ChannelOption>(),
        new ChannelOption("email", Masking.Email(user.Email)),
    ];

    public async Task<(Challenge Challenge, User User)?> LoadAsync(string? flowId)
    {
        if (await challenges.GetAsync(flowId) is not { } challenge || await users.FindByIdAsync(challenge.UserId) is not { } user)
        {
            return null;
        }
        return (challenge, user);
    }

    public async Task<SendResult> SendAsync(string flowId, string? channel)
    {
        if (await LoadAsync(flowId) is not var (challenge, user))
        {
            return new SendResult.ChallengeGone();
        }
        var option = ChannelsOf(user).FirstOrDefault(c => c.Channel == channel);
        if (option is null)
        {
            return new SendResult.UnknownChannel();
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (option.Channel == "totp")
        {
            // Nothing to send: the app shows the code. The challenge now expects one.
            await challenges.SaveAsync(flowId, challenge with { Channel = "totp", CodeHash = null, CodeKey = null, CodeIssuedAt = now, MessageId = null });
            await users.RememberOtpChannelAsync(user.Id, "totp");
            return new SendResult.Sent("totp", option.Destination);
        }
        if (challenge.CodeIssuedAt is { } issued && challenge.Channel != "totp" && now - issued < TimeSpan.FromSeconds(Settings.ResendCooldownSeconds))
        {
            return new SendResult.Cooldown((int)Math.Ceiling((TimeSpan.FromSeconds(Settings.ResendCooldownSeconds) - (now - issued)).TotalSeconds));
        }
        if (!await challenges.TryCountCodeAsync(user.Id, Settings.MaxCodesPerHour, now))
        {
            return new SendResult.TooManyCodes();
        }

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
        var (hash, key) = ChallengeStore.HashCode(code);
        var messageId = Guid.NewGuid();
        var updated = challenge with { Channel = option.Channel, CodeHash = hash, CodeKey = key, CodeIssuedAt = now, MessageId = messageId };
        await challenges.SaveAsync(flowId, updated);
        try
        {
            using var timeout = new CancellationTokenSource(Settings.PublishTimeoutMs);
            await PublishCodeAsync(user, updated, option.Channel, code, messageId, now, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // Nothing half-done: the code that never left is withdrawn; the user is told and may retry.
            await challenges.SaveAsync(flowId, challenge);
            LogUndeliverable(logger, user.Id, option.Channel, ex.GetType().Name);
            return new SendResult.Undeliverable(option.Destination);
        }
        await challenges.SetDeliveryAsync(messageId, DeliveryStatus.Queued);
        await users.RememberOtpChannelAsync(user.Id, option.Channel);
        metrics.CodeIssued(option.Channel);
        await audit.RecordAsync(AuditEvents.SecondFactorSent, user.AccountId, user.Id, option.Channel, ip: challenge.Ip);
        return new SendResult.Sent(option.Channel, option.Destination);
    }

    private Task PublishCodeAsync(User user, Challenge challenge, string channel, string code, Guid messageId, DateTime now, CancellationToken ct)
    {
        var expiresAt = new DateTimeOffset(now + Settings.CodeLifetime, TimeSpan.Zero);
        var minutes = (int)Settings.CodeLifetime.TotalMinutes;
        return channel == "sms"
            ? publisher.Publish(new SendSms(messageId, user.Phone!, Cultures.In(challenge.Language, () => text["Sms_Otp", code].Value),
                NotificationPurpose.OneTimeCode, expiresAt), ctx => ctx.TimeToLive = Settings.CodeLifetime, ct)
            : publisher.Publish(new SendEmail(messageId, user.Email,
                Cultures.In(challenge.Language, () => text["Email_Otp_Subject"].Value),
                Cultures.In(challenge.Language, () => text["Email_Otp_Body", user.Username, code, minutes].Value),
                NotificationPurpose.OneTimeCode, ExpiresAt: expiresAt), ctx => ctx.TimeToLive = Settings.CodeLifetime, ct);
    }

    public async Task<VerifyResult> VerifyAsync(string flowId, string? code)
    {
        if (await LoadAsync(flowId) is not var (challenge, user) || challenge.CodeIssuedAt is null)
        {
            return new VerifyResult.ChallengeGone();
        }
        var guesses = await challenges.CountGuessAsync(flowId);
        if (guesses > Settings.MaxWrongCodes)
        {
            await challenges.EndAsync(flowId);
            return new VerifyResult.ChallengeGone();
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (now - challenge.CodeIssuedAt > Settings.CodeLifetime)
        {
            await challenges.EndAsync(flowId);
            await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "expired", ip: challenge.Ip);
            return new VerifyResult.ChallengeGone();
        }
        // A code guess is a guess at the account too: it is claimed like a password attempt.
        var claim = await users.ClaimAttemptAsync(user.Id, now, lockout.Value.Threshold, lockout.Value.Duration);
        if (claim is null)
        {
            await challenges.EndAsync(flowId);
            await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "locked", ip: challenge.Ip);
            return new VerifyResult.ChallengeGone();
        }
        var normalized = code?.Trim().Replace(" ", "");
        var matches = challenge.Channel == "totp"
            ? user.TotpSecret is { } secret && await authenticator.VerifyOnceAsync(user.Id, secret, normalized)
            : normalized is { Length: 6 } && normalized.All(char.IsAsciiDigit) && ChallengeStore.Matches(challenge, normalized);
        if (matches)
        {
            if (!await challenges.EndAsync(flowId))
            {
                return new VerifyResult.ChallengeGone(); // used by a parallel request: single use
            }
            await users.ResetFailuresAsync(user.Id, now);
            await audit.RecordAsync(AuditEvents.SecondFactorPassed, user.AccountId, user.Id, challenge.Channel, ip: challenge.Ip);
            return new VerifyResult.Verified(user, challenge);
        }
        await audit.RecordAsync(AuditEvents.SecondFactorFailed, user.AccountId, user.Id, "wrong-code", ip: challenge.Ip);
        if (claim.LocksOnFailure)
        {
            metrics.Lockout();
            await audit.RecordAsync(AuditEvents.LockedOut, user.AccountId, user.Id, ip: challenge.Ip);
            await notifier.SendLockoutAsync(user, now + lockout.Value.Duration);
            await challenges.EndAsync(flowId);
            return new VerifyResult.ChallengeGone();
        }
        if (guesses >= Settings.MaxWrongCodes)
        {
            await challenges.EndAsync(flowId); // the fifth wrong code ends the challenge
            return new VerifyResult.ChallengeGone();
        }
        return new VerifyResult.Wrong();
    }

    public Task<DeliveryStatus> DeliveryOfAsync(Challenge challenge) => challenges.GetDeliveryAsync(challenge.MessageId);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Code for user {UserId} by {Channel} could not be queued: {Error}")]
    private static partial void LogUndeliverable(ILogger logger, Guid userId, string channel, string error);
}
