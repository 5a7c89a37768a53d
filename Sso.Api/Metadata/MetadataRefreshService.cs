using AccessPlatform.Sso.Admin;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Sso.Metadata;

/// <summary>
/// Fetches every metadata URL again once it is older than <see cref="MetadataRefreshOptions.Interval"/> (12 h by
/// default), looking every <see cref="MetadataRefreshOptions.PollInterval"/>. Safe on several replicas: each account
/// is refreshed under a Postgres advisory lock and only while still due (<see cref="Data.SsoConnectionStore.TryRefreshExclusivelyAsync"/>).
/// </summary>
public sealed partial class MetadataRefreshService(IServiceScopeFactory scopes, Data.SsoConnectionStore store, IOptions<MetadataRefreshOptions> options,
    TimeProvider clock, ILogger<MetadataRefreshService> logger) : BackgroundService
{
    private const int BatchSize = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        do
        {
            try
            {
                await RefreshDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or DependencyUnavailableException or HttpRequestException)
            {
                // Postgres or Login.Api away: the due connections stay due and are tried at the next poll.
                LogRefreshFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many accounts this instance refreshed.</returns>
    public async Task<int> RefreshDueAsync(CancellationToken cancellationToken)
    {
        var triedBefore = clock.GetUtcNow() - options.Value.Interval;
        var refreshed = 0;
        foreach (var account in await store.ListDueForRefreshAsync(triedBefore, BatchSize))
        {
            await using var scope = scopes.CreateAsyncScope();
            var settings = scope.ServiceProvider.GetRequiredService<SsoSettingsService>();
            string? failure = null;
            if (await store.TryRefreshExclusivelyAsync(account, triedBefore,
                    async () => failure = await settings.RefreshMetadataAsync(account, SettingsActor.MetadataRefresh, cancellationToken), cancellationToken))
            {
                refreshed++;
                if (failure is not null)
                {
                    LogFetchFailed(logger, account, failure);
                }
            }
        }
        return refreshed;
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "IdP metadata refresh of account {Account} failed ({Reason}); the last good metadata stays")]
    private static partial void LogFetchFailed(ILogger logger, string account, string reason);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "IdP metadata refresh could not run")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
