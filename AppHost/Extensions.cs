using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AccessPlatform.AppHost;

internal static class Extensions
{
    /// <summary>A service with one HTTP endpoint, health probed at <c>/health</c>, in the AppHost's environment.</summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("PublicOrigin", builder.PublicOrigin())
            .WithEnvironment("Edge__TrustedProxies__0", builder.GatewayAddresses())
            .WithForwardedSettings(builder.Configuration);

    /// <summary>
    /// Where the services see the gateway's connections come from; only these may tell a service the client's
    /// address (<c>X-Forwarded-For</c>). In a local run every hop is on this machine: the gateway, or DCP's proxy
    /// in front of each service, connects from 127.0.0.1 or ::1. Other loopback addresses (127.0.0.2 and up) are
    /// not trusted. A deployment sets <c>AppHost:GatewayAddresses</c> to the gateway's network.
    /// </summary>
    public static string GatewayAddresses(this IDistributedApplicationBuilder builder) =>
        builder.Configuration["AppHost:GatewayAddresses"] ?? "127.0.0.1/32,::1/128";

    /// <summary>The shared key for <c>/internal</c> routes (the service requires it on its own, presents it on others').</summary>
    public static IResourceBuilder<ProjectResource> WithInternalApiKey(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<ParameterResource> key) =>
        service.WithEnvironment(AccessPlatform.Contracts.InternalApi.KeySetting.Replace(":", "__"), key);

    /// <summary>
    /// The gateway is not behind DCP's proxy: it must see the client's real address for per-IP rate limits. A
    /// proxy-less endpoint has one port, so <c>WithReplicas</c> cannot apply; <c>Replicas:gateway</c> = n adds
    /// resources <c>{name}-2</c> … <c>{name}-n</c> instead, each on its own port (dev: 8081, 8082, …; tests: free
    /// ports). Their rate limits are shared through Redis. In Kubernetes the gateway Deployment scales behind the ingress.
    /// </summary>
    public static void AddGateways<TProject>(this IDistributedApplicationBuilder builder, string name,
        Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> configure)
        where TProject : IProjectMetadata, new()
    {
        var count = builder.Replicas(name);
        for (var instance = 1; instance <= count; instance++)
        {
            var port = instance == 1 ? builder.GatewayPort()
                : builder.Configuration.GetValue("AppHost:FixedPorts", true) ? builder.GatewayPort() + instance - 1
                : Infrastructure.LocalInfrastructure.FreePort();
            configure(builder.AddProject<TProject>(instance == 1 ? name : $"{name}-{instance}", launchProfileName: null)
                .WithHttpEndpoint(port: port, name: "http", isProxied: false)
                .WithExternalHttpEndpoints()
                .WithHttpHealthCheck("/health")
                .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
                .WithForwardedSettings(builder.Configuration, name));
        }
    }

    /// <summary><c>Replicas:{resource}</c> instances (default 1) behind DCP's proxy, which spreads connections over them.</summary>
    public static IResourceBuilder<ProjectResource> WithReplicasFromSettings(this IResourceBuilder<ProjectResource> service)
    {
        var replicas = service.ApplicationBuilder.Replicas(service.Resource.Name);
        return replicas > 1 ? service.WithReplicas(replicas) : service;
    }

    private static int Replicas(this IDistributedApplicationBuilder builder, string resource)
    {
        var replicas = builder.Configuration.GetValue($"Replicas:{resource}", 1);
        return replicas is >= 1 and <= 10 ? replicas
            : throw new InvalidOperationException($"Replicas:{resource} must be between 1 and 10, not {replicas}.");
    }

    /// <summary>Fixed 8080 in dev (bookmarkable); a free port when fixed ports are off, so tests run beside a dev stack.</summary>
    public static int GatewayPort(this IDistributedApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<int?>("AppHost:ResolvedGatewayPort") is { } resolved)
        {
            return resolved;
        }
        var port = builder.Configuration.GetValue("AppHost:FixedPorts", true) ? builder.Configuration.GetValue("AppHost:GatewayPort", 8080) : Infrastructure.LocalInfrastructure.FreePort();
        builder.Configuration["AppHost:ResolvedGatewayPort"] = port.ToString();
        return port;
    }

    /// <summary>The address users reach: links in emails are built from it, never from a request's Host header.</summary>
    public static string PublicOrigin(this IDistributedApplicationBuilder builder) =>
        builder.Configuration["AppHost:PublicOrigin"] ?? $"http://localhost:{builder.GatewayPort()}";

    /// <summary>
    /// AppHost settings under <c>Services:{resource}:</c> become that service's configuration (tests and benchmarks
    /// use this to tune limits without editing the services).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithForwardedSettings(this IResourceBuilder<ProjectResource> service, IConfiguration configuration,
        string? settingsOf = null)
    {
        var section = configuration.GetSection($"Services:{settingsOf ?? service.Resource.Name}");
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                service.WithEnvironment(key.Replace(":", "__"), value);
            }
        }
        return service;
    }

    /// <summary>A Twilio-compatible Messages endpoint that records SMS: dev and tests only, never deployed.</summary>
    public static IResourceBuilder<ProjectResource> AddTwilioSink(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddProject<Projects.TwilioSink>(name, launchProfileName: null)
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithEnvironment("Twilio__AccountSid", DevTwilio.AccountSid)
            .WithEnvironment("Twilio__AuthToken", DevTwilio.AuthToken);

    public static IResourceBuilder<ProjectResource> WithTwilio(this IResourceBuilder<ProjectResource> worker, IResourceBuilder<ProjectResource> sink) =>
        worker.WithReference(sink).WaitFor(sink)
            .WithEnvironment("Twilio__BaseAddress", sink.GetEndpoint("http"))
            .WithEnvironment("Twilio__AccountSid", DevTwilio.AccountSid)
            .WithEnvironment("Twilio__AuthToken", DevTwilio.AuthToken)
            .WithEnvironment("Twilio__From", DevTwilio.From);

    /// <summary>Dashboard buttons ops use to check delivery settings (they send the internal key like any other caller).</summary>
    public static IResourceBuilder<ProjectResource> WithOpsCommands(this IResourceBuilder<ProjectResource> loginApi,
        IResourceBuilder<ParameterResource> key) =>
        loginApi
            .WithHttpCommand("/internal/ops/notifications/test?channel=email", "Send test email",
                commandName: "send-test-email", commandOptions: new() { Method = HttpMethod.Post, IconName = "Mail", PrepareRequest = WithKey(key) })
            .WithHttpCommand("/internal/ops/notifications/test?channel=sms", "Send test SMS",
                commandName: "send-test-sms", commandOptions: new() { Method = HttpMethod.Post, IconName = "Phone", PrepareRequest = WithKey(key) })
            .WithHttpCommand("/internal/ops/reset-database", "Reset dev database",
                commandName: "reset-dev-database", commandOptions: new()
                {
                    Method = HttpMethod.Post, IconName = "DatabaseArrowDown", PrepareRequest = WithKey(key),
                    ConfirmationMessage = "Drop all data of login-db, reseed the demo accounts and clear Redis?",
                });

    /// <summary>
    /// Development: the dashboard's "Create account" asks for the account and its first Account Manager and calls
    /// Login.Api's operator endpoint with the internal key (production uses the documented curl instead).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithCreateAccountCommand(this IResourceBuilder<ProjectResource> loginApi,
        IResourceBuilder<ParameterResource> internalApiKey)
    {
        if (!loginApi.ApplicationBuilder.Environment.IsDevelopment())
        {
            return loginApi;
        }
#pragma warning disable ASPIREINTERACTION001 // command arguments use the (experimental) interaction inputs
        return loginApi.WithHttpCommand("/internal/operator/accounts", "Create account", commandName: "create-account", commandOptions: new()
        {
            Method = HttpMethod.Post,
            IconName = "BuildingAdd",
            Description = "Creates a customer account and emails its first Account Manager an invitation (72 h).",
            Arguments =
            [
                new() { Name = "key", Label = "Account key", Required = true, InputType = InputType.Text, MaxLength = 40, Placeholder = "fabrikam" },
                new() { Name = "name", Label = "Company name", Required = true, InputType = InputType.Text, MaxLength = 100, Placeholder = "Fabrikam Inc." },
                new() { Name = "username", Label = "Account Manager's username", Required = true, InputType = InputType.Text, MaxLength = 64 },
                new() { Name = "email", Label = "Account Manager's email", Required = true, InputType = InputType.Text, MaxLength = 254 },
                new() { Name = "phone", Label = "Account Manager's phone (E.164, optional)", InputType = InputType.Text, MaxLength = 32 },
                new() { Name = "language", Label = "Language (en, de, fr, …)", InputType = InputType.Text, MaxLength = 8, Value = "en" },
            ],
            PrepareRequest = async context =>
            {
                context.Request.Headers.Add("X-Internal-Api-Key", await internalApiKey.Resource.GetValueAsync(context.CancellationToken));
                var body = new Dictionary<string, string?>();
                foreach (var name in (string[])["key", "name", "username", "email", "phone", "language"])
                {
                    body[name] = context.Arguments.TryGetByName(name, out var input) && !string.IsNullOrWhiteSpace(input.Value) ? input.Value : null;
                }
                context.Request.Content = System.Net.Http.Json.JsonContent.Create(body);
            },
        });
#pragma warning restore ASPIREINTERACTION001
    }

    /// <summary>Ops: move failed notifications back to their queues once the cause is fixed.</summary>
    public static IResourceBuilder<ProjectResource> WithReplayCommand(this IResourceBuilder<ProjectResource> worker,
        IResourceBuilder<ParameterResource> key) =>
        worker.WithHttpCommand("/internal/ops/replay-errors", "Replay error queues",
            commandName: "replay-error-queues", commandOptions: new() { Method = HttpMethod.Post, IconName = "ArrowRepeatAll", PrepareRequest = WithKey(key) });

    private static Func<HttpCommandRequestContext, Task> WithKey(IResourceBuilder<ParameterResource> key) => async context =>
        context.Request.Headers.Add(AccessPlatform.Contracts.InternalApi.KeyHeader, await key.Resource.GetValueAsync(context.CancellationToken));

}

/// <summary>Credentials for the local Twilio stand-in; real ones come from configuration in production.</summary>
internal static class DevTwilio
{
    public const string AccountSid = "AC00000000000000000000000000000dev";
    public const string AuthToken = "dev-auth-token-not-secret";
    public const string From = "+15005550006";
}
