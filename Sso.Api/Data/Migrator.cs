using DbUp;

namespace AccessPlatform.Sso.Data;

/// <summary>Applies the embedded SQL scripts (DbUp journals what ran) before the service takes traffic.</summary>
public sealed partial class Migrator(IConfiguration configuration, ILogger<Migrator> logger)
{
    public void Migrate()
    {
        var connectionString = configuration.GetConnectionString("sso-db")
            ?? throw new InvalidOperationException("Connection string 'sso-db' is missing.");
        EnsureDatabase.For.PostgresqlDatabase(connectionString);
        var result = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.Contains(".Data.Migrations."))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration failed at {result.ErrorScript?.Name}", result.Error);
        }
        LogMigrated(logger, result.Scripts.Count());
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Database migrated: {Count} new scripts")]
    private static partial void LogMigrated(ILogger logger, int count);
}
