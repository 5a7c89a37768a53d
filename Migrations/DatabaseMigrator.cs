using DbUp;
using Microsoft.Extensions.Logging;

namespace AccessPlatform.Migrations;

/// <summary>One database the platform owns: its Aspire connection name and the prefix of its embedded scripts.</summary>
public sealed record PlatformDatabase(string ConnectionName, string ScriptPrefix)
{
    public static readonly PlatformDatabase Login = new("login-db", "AccessPlatform.Login.Data.Migrations.");
    public static readonly PlatformDatabase Sso = new("sso-db", "AccessPlatform.Sso.Data.Migrations.");
    public static readonly IReadOnlyList<PlatformDatabase> All = [Login, Sso];
}

/// <summary>
/// The one DbUp runner: creates the database when missing and applies the scripts DbUp's journal has not seen, one
/// transaction per script. Only the <c>migrations</c> resource runs it (services wait for its completion and never
/// migrate at start-up, so replicas cannot race), plus Login.Api's development-only database reset.
/// </summary>
public static partial class DatabaseMigrator
{
    public static int Migrate(PlatformDatabase database, string connectionString, ILogger logger)
    {
        EnsureDatabase.For.PostgresqlDatabase(connectionString);
        var result = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.StartsWith(database.ScriptPrefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration of {database.ConnectionName} failed at {result.ErrorScript?.Name}", result.Error);
        }
        var applied = result.Scripts.Count();
        LogMigrated(logger, database.ConnectionName, applied);
        return applied;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "{Database} migrated: {Count} new scripts")]
    private static partial void LogMigrated(ILogger logger, string database, int count);
}
