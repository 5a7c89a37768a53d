using AccessPlatform.Migrations;

// Applies every database's scripts and exits: the AppHost's `migrations` resource, a Kubernetes Job in production.
var builder = Host.CreateApplicationBuilder(args);
builder.ConfigureOpenTelemetry();
using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AccessPlatform.Migrations");
foreach (var database in PlatformDatabase.All)
{
    var connectionString = builder.Configuration.GetConnectionString(database.ConnectionName)
        ?? throw new InvalidOperationException($"Connection string '{database.ConnectionName}' is missing.");
    DatabaseMigrator.Migrate(database, connectionString, logger);
}
