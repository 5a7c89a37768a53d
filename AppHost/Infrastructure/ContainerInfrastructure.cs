namespace AccessPlatform.AppHost.Infrastructure;

/// <summary>The usual Aspire containers, used where a container runtime answers.</summary>
internal sealed class ContainerInfrastructure(IDistributedApplicationBuilder builder) : IInfrastructure
{
    public IResourceBuilder<IResourceWithConnectionString> AddPostgres(string name) =>
        builder.AddPostgres(name).WithLifetime(ContainerLifetime.Session);

    public IResourceBuilder<IResourceWithConnectionString> AddDatabase(IResourceBuilder<IResourceWithConnectionString> server, string name) =>
        ((IResourceBuilder<PostgresServerResource>)server).AddDatabase(name);

    public IResourceBuilder<IResourceWithConnectionString> AddRedis(string name) => builder.AddRedis(name);

    public IResourceBuilder<IResourceWithConnectionString> AddRabbitMQ(string name) => builder.AddRabbitMQ(name);

    public IResourceBuilder<IResourceWithConnectionString> AddMailCatcher(string name, int? webPort) =>
        builder.AddResource(new MailCatcherContainerResource(name))
            .WithImage("rnwood/smtp4dev", "3.15.0")
            .WithHttpEndpoint(port: webPort, targetPort: 80, name: "http")
            .WithEndpoint(targetPort: 25, name: "smtp", scheme: "tcp");
}

internal sealed class MailCatcherContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    private EndpointReference Smtp => new(this, "smtp");

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"smtp://{Smtp.Property(EndpointProperty.Host)}:{Smtp.Property(EndpointProperty.Port)}");
}
