namespace AccessPlatform.AppHost.Infrastructure;

/// <summary>
/// A server run as a local process (no container runtime). It publishes the same connection-string shape as the
/// Aspire container resource of the same name.
/// </summary>
internal sealed class LocalServerResource(
    string name, string command, string workingDirectory, Func<EndpointReference, ReferenceExpression> connectionString)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => connectionString(Endpoint);
}

/// <summary>A database inside a local Postgres server: created when the server is ready.</summary>
internal sealed class LocalDatabaseResource(string name, LocalServerResource server)
    : Resource(name), IResourceWithParent<LocalServerResource>, IResourceWithConnectionString
{
    public LocalServerResource Parent => server;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{server.ConnectionStringExpression};Database={Name}");
}
