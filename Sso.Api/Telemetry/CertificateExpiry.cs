using System.Diagnostics.Metrics;
using System.Security.Cryptography.X509Certificates;
using AccessPlatform.Sso.Login;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AccessPlatform.Sso.Telemetry;

/// <summary>A certificate the platform relies on: an IdP's (verifies responses) or our SP's (signs requests).</summary>
public sealed record TrackedCertificate(string Account, string Kind, DateTime NotAfter);

/// <summary>The certificates that expire within the warning window, and the soonest expiry per kind.</summary>
public sealed record ExpirySnapshot(IReadOnlyList<TrackedCertificate> Expiring, IReadOnlyDictionary<string, double> DaysLeftByKind)
{
    public static readonly ExpirySnapshot Empty = new([], new Dictionary<string, double>());

    public const string Idp = "idp";
    public const string Sp = "sp";

    public static ExpirySnapshot Of(IEnumerable<TrackedCertificate> certificates, DateTime now, TimeSpan warning)
    {
        var all = certificates.ToList();
        return new ExpirySnapshot(
            [.. all.Where(c => c.NotAfter - now <= warning).OrderBy(c => c.NotAfter)],
            all.GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => Math.Round(g.Min(c => (c.NotAfter - now).TotalDays), 1)));
    }
}

/// <summary>
/// Watches every configured connection's IdP certificates and every SP signing certificate (issue 12): a metric per
/// kind (how many expire within <see cref="SsoOptions.CertificateWarningDays"/>, and the fewest days left) and the
/// <c>sso-certificates</c> warning check on <c>/health/warnings</c>. Reads the database every
/// <see cref="SsoOptions.CertificateCheckMinutes"/>, not per scrape or probe.
/// </summary>
public sealed partial class CertificateExpiryMonitor : BackgroundService, IHealthCheck
{
    public const string MeterName = "AccessPlatform.Sso";

    private readonly NpgsqlDataSource db;
    private readonly IOptions<SsoOptions> options;
    private readonly TimeProvider clock;
    private readonly ILogger<CertificateExpiryMonitor> logger;
    private volatile ExpirySnapshot snapshot = ExpirySnapshot.Empty;

    public CertificateExpiryMonitor(NpgsqlDataSource db, IOptions<SsoOptions> options, TimeProvider clock, IMeterFactory meters,
        ILogger<CertificateExpiryMonitor> logger)
    {
        this.db = db;
        this.options = options;
        this.clock = clock;
        this.logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("sso.certificates.expiring", () => PerKind(k => snapshot.Expiring.Count(c => c.Kind == k)),
            description: "IdP and SP certificates that expire within the warning window (Sso:CertificateWarningDays)");
        meter.CreateObservableGauge("sso.certificates.days_left",
            () => snapshot.DaysLeftByKind.Select(p => new Measurement<double>(p.Value, new KeyValuePair<string, object?>("kind", p.Key))),
            unit: "d", description: "Days until the soonest IdP or SP certificate expires");
    }

    public ExpirySnapshot Snapshot => snapshot;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var expiring = snapshot.Expiring;
        if (expiring.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy());
        }
        // Account keys and dates only: nothing secret.
        var data = expiring.Take(20).ToDictionary(c => $"{c.Account}:{c.Kind}:{c.NotAfter:yyyyMMddHHmmss}", c => (object)c.NotAfter.ToString("O"));
        return Task.FromResult(HealthCheckResult.Degraded(
            $"{expiring.Count(c => c.Kind == ExpirySnapshot.Idp)} IdP and {expiring.Count(c => c.Kind == ExpirySnapshot.Sp)} SP certificates expire within {options.Value.CertificateWarningDays} days.",
            data: data));
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var certificates = new List<TrackedCertificate>();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        foreach (var (account, idpCertificates) in await connection.QueryAsync<(string, string[])>(
                     "SELECT account_key, idp_certificates FROM sso_connections WHERE idp_entity_id IS NOT NULL"))
        {
            foreach (var der in idpCertificates)
            {
                using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(der));
                certificates.Add(new TrackedCertificate(account, ExpirySnapshot.Idp, certificate.NotAfter.ToUniversalTime()));
            }
        }
        foreach (var (account, notAfter) in await connection.QueryAsync<(string, DateTime)>("SELECT account_key, not_after FROM sso_sp_keys"))
        {
            certificates.Add(new TrackedCertificate(account, ExpirySnapshot.Sp, DateTime.SpecifyKind(notAfter, DateTimeKind.Utc)));
        }
        snapshot = ExpirySnapshot.Of(certificates, clock.GetUtcNow().UtcDateTime, TimeSpan.FromDays(options.Value.CertificateWarningDays));
        if (snapshot.Expiring.Count > 0)
        {
            LogExpiring(logger, snapshot.Expiring.Count, options.Value.CertificateWarningDays);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.CertificateCheckMinutes), clock);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or System.Security.Cryptography.CryptographicException or FormatException)
            {
                LogRefreshFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static IEnumerable<Measurement<int>> PerKind(Func<string, int> count) =>
    [
        new(count(ExpirySnapshot.Idp), new KeyValuePair<string, object?>("kind", ExpirySnapshot.Idp)),
        new(count(ExpirySnapshot.Sp), new KeyValuePair<string, object?>("kind", ExpirySnapshot.Sp)),
    ];

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "{Count} SSO certificates expire within {Days} days (see /health/warnings)")]
    private static partial void LogExpiring(ILogger logger, int count, int days);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "SSO certificate expiry check failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
