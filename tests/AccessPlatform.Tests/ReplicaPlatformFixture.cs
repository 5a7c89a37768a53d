using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AccessPlatform.Tests;

/// <summary>
/// The same stack with two instances of every service: Login.Api, Sso.Api and the worker as replicas behind DCP's
/// proxy (<c>Replicas:{resource}=2</c>), and a second gateway (<c>gateway-2</c>) on its own port. Tests reach each
/// instance directly as well as through the gateways.
/// </summary>
public sealed class ReplicaPlatformFixture : PlatformFixture
{
    public const int Replicas = 2;
    public static readonly string[] ReplicatedServices = ["login-api", "sso-api", "notifications-worker"];

    /// <summary>Twilio's magic "invalid number": the sink answers 400, so the message lands in the error queue.</summary>
    public const string InvalidNumber = "+15005550001";

    // As production runs: replicas, and Messaging:QuorumQueues on for the two services that declare queues (its broker
    // is this fixture's own, so the queues are declared here for the first time: an existing queue cannot change
    // type). One stack for the replica and the quorum-queue tests: a third stack start cost a minute of every run.
    protected override IEnumerable<string> ExtraArguments =>
    [
        .. ReplicatedServices.Select(s => $"--Replicas:{s}={Replicas}"), $"--Replicas:gateway={Replicas}",
        "--Services:notifications-worker:Messaging:QuorumQueues=true",
        "--Services:login-api:Messaging:QuorumQueues=true",
        // Ops may send their test SMS to the invalid number here, to fill an error queue without a login.
        $"--Services:login-api:Ops:TestSmsTo:1={InvalidNumber}",
    ];

    protected override IEnumerable<string> WaitedResources => [.. Resources, "gateway-2"];

    public Uri SecondGatewayAddress { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        SecondGatewayAddress = new UriBuilder(App.GetEndpoint("gateway-2", "http")) { Host = "127.0.0.1" }.Uri;
        foreach (var service in ReplicatedServices)
        {
            Assert.Equal(Replicas, (await InstancesAsync(service)).Count);
        }
    }

    /// <summary>Each healthy instance of <paramref name="resource"/>: its DCP id and its own address (past the proxy).</summary>
    public async Task<IReadOnlyList<(string Id, Uri Address)>> InstancesAsync(string resource)
    {
        var found = new Dictionary<string, Uri>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await foreach (var update in App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (update.Resource.Name != resource)
            {
                continue;
            }
            var urls = update.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value;
            if (urls is not null && update.Snapshot.HealthStatus == HealthStatus.Healthy && update.Snapshot.State?.Text == KnownResourceStates.Running)
            {
                found[update.ResourceId] = new UriBuilder(urls.Split(';')[0]) { Host = "127.0.0.1" }.Uri;
            }
            else
            {
                found.Remove(update.ResourceId);
            }
            if (found.Count == Replicas)
            {
                break;
            }
        }
        return [.. found.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, f.Value))];
    }

    /// <summary>The operating-system process DCP started for one instance (its <c>executable.pid</c>).</summary>
    public async Task<int> ProcessIdAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var update in App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (update.ResourceId == instanceId
                && update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
                && int.TryParse(pid.ToString(), out var id))
            {
                return id;
            }
        }
        throw new InvalidOperationException($"{instanceId} has no process id.");
    }

    /// <summary>
    /// A client of one instance's own port, connecting from 127.0.0.1 as the gateway does, and telling the instance
    /// the client's address the way the gateway would (<c>X-Forwarded-For</c>).
    /// </summary>
    public static HttpClient InstanceClient(Uri instance, string clientAddress, CookieContainer? cookies = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseCookies = cookies is not null, CookieContainer = cookies ?? new(), AllowAutoRedirect = false })
        {
            BaseAddress = instance,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress);
        return client;
    }
}

/// <summary>
/// Runs alone, after the other collections: two whole stacks at once would starve a two-core machine, and its
/// broker restart (QuorumQueueTests) must not meet another stack's traffic.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReplicaCollection : ICollectionFixture<ReplicaPlatformFixture>
{
    public const string Name = "replicas";
}
