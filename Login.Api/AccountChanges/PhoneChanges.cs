using System.Security.Cryptography;
using System.Text.Json;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using MassTransit;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AccessPlatform.Login.AccountChanges;

public abstract record PhoneChangeStart
{
    public sealed record Sent(string MaskedPhone) : PhoneChangeStart;

    public sealed record Same : PhoneChangeStart;

    public sealed record Cooldown(int Seconds) : PhoneChangeStart;

    public sealed record TooManyCodes : PhoneChangeStart;

    public sealed record Undeliverable : PhoneChangeStart;
}

public enum PhoneChangeConfirm { Changed, WrongCode, NoCode, Locked }

/// <summary>
/// The signed-in user's new phone number, confirmed with an SMS code under the second factor's rules: 6 digits from
/// a CSPRNG kept only as an HMAC (<see cref="CodeChallenge"/>), valid <see cref="SecondFactorOptions.CodeLifetime"/>,
/// the same hourly cap of codes per user (<see cref="ChallengeLimiter"/>), the resend cooldown, and every guess
/// claimed from the user's second-factor lockout counter. The old number is not messaged; the email is.
/// </summary>
public sealed partial class PhoneChanges(ChallengeLimiter limiter, LockoutPolicy lockout, ContactChangeStore store, SessionStore sessions,
    AccountChangeNotifier notifier, AuditLog audit, IConnectionMultiplexer redis, IOptions<SecondFactorOptions> options, TimeProvider clock,
    ILogger<PhoneChanges> logger)
{
    private sealed record Pending(string Phone, CodeChallenge Challenge);

    private SecondFactorOptions Settings => options.Value;

    private static RedisKey Key(Guid userId) => $"phone-change:{userId:N}";

    /// <param name="e164">Already normalized (<c>UserAdministration.ValidatePhone</c>, libphonenumber).</param>
    public async Task<PhoneChangeStart> StartAsync(User user, string e164, string? ip)
    {
        if (e164 == user.Phone)
        {
            return new PhoneChangeStart.Same();
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var db = redis.GetDatabase();
        var cooldown = TimeSpan.FromSeconds(Settings.ResendCooldownSeconds);
        if (await ReadAsync(db, user.Id) is { } earlier && now - earlier.Challenge.IssuedAt < cooldown)
        {
            return new PhoneChangeStart.Cooldown((int)Math.Ceiling((cooldown - (now - earlier.Challenge.IssuedAt)).TotalSeconds));
        }
        if (await limiter.TakeCodeAsync(user.Id, Settings.MaxCodesPerHour, now) is not null)
        {
            return new PhoneChangeStart.TooManyCodes();
        }
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
        var messageId = Guid.NewGuid();
        try
        {
            using var timeout = new CancellationTokenSource(Settings.PublishTimeoutMs);
            await notifier.CodeSmsAsync(user, e164, messageId, "Sms_PhoneCode", Settings.CodeLifetime, code).WaitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or TimeoutException or System.Net.Sockets.SocketException)
        {
            LogUndeliverable(logger, user.Id, ex.GetType().Name);
            return new PhoneChangeStart.Undeliverable();
        }
        var pending = new Pending(e164, CodeChallenge.ForCode("sms", code, now, messageId));
        await db.StringSetAsync(Key(user.Id), JsonSerializer.Serialize(pending), Settings.CodeLifetime);
        await audit.RecordAsync(AccountChangeAuditEvents.PhoneChangeRequested, user.AccountId, user.Id, AccountChangeAuditEvents.Self, user.Id, ip);
        return new PhoneChangeStart.Sent(Masking.Phone(e164));
    }

    /// <summary>The number waiting for its code, if any (masked for the page).</summary>
    public async Task<string?> PendingAsync(Guid userId) =>
        await ReadAsync(redis.GetDatabase(), userId) is { } pending && !Expired(pending) ? Masking.Phone(pending.Phone) : null;

    public async Task<PhoneChangeConfirm> ConfirmAsync(User user, string? code, string? ip)
    {
        var db = redis.GetDatabase();
        if (await ReadAsync(db, user.Id) is not { } pending || Expired(pending))
        {
            return PhoneChangeConfirm.NoCode;
        }
        if (await lockout.ClaimAsync(user, GuessedFactor.SecondFactor) is not { } claim)
        {
            await audit.RecordAsync(AccountChangeAuditEvents.PhoneChangeFailed, user.AccountId, user.Id, "locked", ip: ip);
            return PhoneChangeConfirm.Locked;
        }
        if (code is not { Length: 6 } || !code.All(char.IsAsciiDigit) || !pending.Challenge.Matches(code))
        {
            await audit.RecordAsync(AccountChangeAuditEvents.PhoneChangeFailed, user.AccountId, user.Id, "wrong-code", ip: ip);
            return await lockout.FailedAsync(user, claim, ip) ? PhoneChangeConfirm.Locked : PhoneChangeConfirm.WrongCode;
        }
        await lockout.SucceededAsync(user, claim);
        // Single use: of two requests with the right code only the one that deletes the key applies it.
        if (!await db.KeyDeleteAsync(Key(user.Id)))
        {
            return PhoneChangeConfirm.NoCode;
        }
        await store.SetPhoneAsync(user.Id, pending.Phone, clock.GetUtcNow().UtcDateTime);
        await sessions.UserChangedAsync(user.Id);
        await audit.RecordAsync(AccountChangeAuditEvents.PhoneChanged, user.AccountId, user.Id, AccountChangeAuditEvents.Self, user.Id, ip);
        await notifier.EmailAsync(user, user.Email, "Email_PhoneChanged", user.Username, Masking.Phone(pending.Phone), notifier.Now, notifier.SecureLink);
        return PhoneChangeConfirm.Changed;
    }

    private bool Expired(Pending pending) => clock.GetUtcNow().UtcDateTime - pending.Challenge.IssuedAt > Settings.CodeLifetime;

    private static async Task<Pending?> ReadAsync(IDatabase db, Guid userId) =>
        await db.StringGetAsync(Key(userId)) is { IsNullOrEmpty: false } json ? JsonSerializer.Deserialize<Pending>(json.ToString()) : null;

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "Phone-change code for user {UserId} could not be queued: {Error}")]
    private static partial void LogUndeliverable(ILogger logger, Guid userId, string error);
}
