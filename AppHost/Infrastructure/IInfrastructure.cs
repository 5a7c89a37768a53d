using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
namespace AccessPlatform.AppHost.Infrastructure;

/// <summary>
/// The servers the services need. Containers and local processes expose the same resource names and the same
/// connection-string shapes, so a service never knows which mode runs.
/// </summary>
public interface IInfrastructure
{
    IResourceBuilder<IResourceWithConnectionString> AddPostgres(string name);

    IResourceBuilder<IResourceWithConnectionString> AddDatabase(IResourceBuilder<IResourceWithConnectionString> server, string name);

    IResourceBuilder<IResourceWithConnectionString> AddRedis(string name);

    IResourceBuilder<IResourceWithConnectionString> AddRabbitMQ(string name);

    /// <summary>An SMTP catcher with a web UI; its connection string is <c>smtp://host:port</c>.</summary>
    IResourceBuilder<IResourceWithConnectionString> AddMailCatcher(string name, int? webPort);
}

public static class InfrastructureExtensions
{
    public static IInfrastructure AddInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = InfrastructureModeResolver.Resolve(builder.Configuration);
        return mode == InfrastructureMode.Containers
            ? new ContainerInfrastructure(builder)
            : new LocalInfrastructure(builder, LocalDataDirectory(builder));
    }

    /// <summary>Dev data lives in the repo's gitignored <c>.data/</c>; tests pass a folder of their own.</summary>
    private static string LocalDataDirectory(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["Infrastructure:DataDirectory"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(builder.AppHostDirectory, "..", ".data")
            : configured);
    }

    /// <summary>The dev port when fixed ports are on (bookmarkable URLs), otherwise none (tests run beside a dev stack).</summary>
    public static int? DevPort(this IDistributedApplicationBuilder builder, string key) =>
        builder.Configuration.GetValue("AppHost:FixedPorts", true) ? builder.Configuration.GetValue<int?>($"AppHost:{key}") : null;
}
