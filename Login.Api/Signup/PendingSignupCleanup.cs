using AccessPlatform.Login.Audit;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Signup;

/// <summary>
/// Removes sign-ups nobody confirmed within the retention (7 days by default), which frees their account key and
/// username. Idempotent, so several Login.Api instances may run it at once.
/// </summary>
public sealed partial class PendingSignupCleanup(AccountStore accounts, AuditLog audit, IOptions<SignupOptions> options, TimeProvider clock,
    ILogger<PendingSignupCleanup> logger)
{
    public async Task<int> RunOnceAsync()
    {
        var removed = await accounts.RemovePendingAsync(clock.GetUtcNow().UtcDateTime - options.Value.PendingRetention);
        foreach (var account in removed)
        {
            await audit.RecordAsync(SignupAuditEvents.PendingRemoved, account.AccountId, account.UserId, "unconfirmed");
        }
        if (removed.Count > 0)
        {
            LogRemoved(logger, removed.Count);
        }
        return removed.Count;
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Removed {Count} unconfirmed sign-ups")]
    private static partial void LogRemoved(ILogger logger, int count);
}

/// <summary>Runs <see cref="PendingSignupCleanup"/> at start and then every <see cref="SignupOptions.CleanupInterval"/>.</summary>
public sealed partial class PendingSignupCleanupService(PendingSignupCleanup cleanup, IOptions<SignupOptions> options,
    ILogger<PendingSignupCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval);
        do
        {
            try
            {
                await cleanup.RunOnceAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The type only: data-layer messages can carry parameter values. The next tick tries again.
                LogFailed(logger, ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Removing unconfirmed sign-ups failed: {ErrorType}")]
    private static partial void LogFailed(ILogger logger, string errorType);
}
