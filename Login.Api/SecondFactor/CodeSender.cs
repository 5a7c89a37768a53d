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

/// <summary>
/// Issues and sends one-time codes: 6 digits from a CSPRNG, bound to one challenge (kept as an HMAC), valid 10
/// minutes, at most 5 codes per user per hour, a new code after 30 s. The authenticator app needs nothing sent.
/// </summary>
public sealed partial class CodeSender(
    ChallengeLimiter limiter, CodeDeliveryStore deliveries, UserStore users, IPublishEndpoint publisher, IStringLocalizer<SharedResource> text,
    EmailComposer emails, IOptions<SecondFactorOptions> options, IOptions<PlatformOptions> platform, TimeProvider clock, LoginMetrics metrics, AuditLog audit, ILogger<CodeSender> logger)
{
    private SecondFactorOptions Settings => options.Value;

    /// <summary>Sends by <paramref name="option"/>'s channel and records the pending code in <paramref name="state"/>.</summary>
    public async Task<LoginOutcome> SendAsync(LoginState state, User user, ChannelOption option)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (option.Channel == "totp")
        {
            // Nothing to send: the app shows the code. The flow now expects one.
            state.Code = new CodeChallenge("totp", now);
            await users.RememberOtpChannelAsync(user.Id, "totp");
            return new LoginOutcome.CodeSent("totp", option.Destination);
        }
        var cooldown = TimeSpan.FromSeconds(Settings.ResendCooldownSeconds);
        if (state.Code is { Channel: not "totp", IssuedAt: var issued } && now - issued < cooldown)
        {
            return new LoginOutcome.CodeCooldown((int)Math.Ceiling((cooldown - (now - issued)).TotalSeconds));
        }
        if (await limiter.TakeCodeAsync(user.Id, Settings.MaxCodesPerHour, now) is not null)
        {
            return new LoginOutcome.TooManyCodes();
        }

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
        var messageId = Guid.NewGuid();
        try
        {
            using var timeout = new CancellationTokenSource(Settings.PublishTimeoutMs);
            // WaitAsync as well as the token: a publish to a broker that is down may notice the cancellation late, and
            // the user must hear "not sent" at the deadline, not whenever the bus gives up.
            await PublishAsync(user, state.Language, option.Channel, code, messageId, now, timeout.Token).WaitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // Nothing half-done: the code that never left is not recorded; the user is told and may retry.
            LogUndeliverable(logger, user.Id, option.Channel, ex.GetType().Name);
            return new LoginOutcome.CodeUndeliverable(option.Destination);
        }
        state.Code = CodeChallenge.ForCode(option.Channel, code, now, messageId);
        await deliveries.SetAsync(messageId, DeliveryStatus.Queued);
        await users.RememberOtpChannelAsync(user.Id, option.Channel);
        metrics.CodeIssued(option.Channel);
        await audit.RecordAsync(AuditEvents.SecondFactorSent, user.AccountId, user.Id, option.Channel, ip: state.Ip);
        return new LoginOutcome.CodeSent(option.Channel, option.Destination);
    }

    private Task PublishAsync(User user, string language, string channel, string code, Guid messageId, DateTime now, CancellationToken ct)
    {
        var expiresAt = new DateTimeOffset(now + Settings.CodeLifetime, TimeSpan.Zero);
        var minutes = (int)Settings.CodeLifetime.TotalMinutes;
        return channel == "sms"
            ? publisher.Publish(new SendSms(messageId, user.Phone!,
                OriginBoundCode.Append(Cultures.In(language, () => text["Sms_Otp", code].Value), platform.Value.PublicOrigin, code),
                NotificationPurpose.OneTimeCode, expiresAt), ctx => ctx.TimeToLive = Settings.CodeLifetime, ct)
            : publisher.Publish(emails.Compose(messageId, user.Email, language, text, "Email_Otp_Subject", "Email_Otp_Body",
                NotificationPurpose.OneTimeCode, [user.Username, new EmailCode(code), minutes], expiresAt),
                ctx => ctx.TimeToLive = Settings.CodeLifetime, ct);
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Code for user {UserId} by {Channel} could not be queued: {Error}")]
    private static partial void LogUndeliverable(ILogger logger, Guid userId, string channel, string error);
}
