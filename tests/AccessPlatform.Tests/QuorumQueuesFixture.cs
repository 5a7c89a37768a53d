namespace AccessPlatform.Tests;

/// <summary>
/// A stack of its own with <c>Messaging:QuorumQueues</c> on for the two services that declare queues, forwarded by
/// the AppHost (<c>Services:{resource}:...</c>) as production sets it. Its broker is a fresh one in the fixture's
/// own data folder, so the queues are declared here for the first time (an existing queue cannot change type).
/// </summary>
public sealed class QuorumQueuesFixture : IAsyncLifetime
{
    /// <summary>Twilio's magic "invalid number": the sink answers 400, so the message lands in the error queue.</summary>
    public const string InvalidNumber = "+15005550001";

    public PlatformFixture Platform { get; } = new([
        "--Services:notifications-worker:Messaging:QuorumQueues=true",
        "--Services:login-api:Messaging:QuorumQueues=true",
        // Ops may send their test SMS to the invalid number here, to fill an error queue without a login.
        $"--Services:login-api:Ops:TestSmsTo:1={InvalidNumber}",
    ]);

    public Task InitializeAsync() => Platform.InitializeAsync();

    public Task DisposeAsync() => Platform.DisposeAsync();
}

/// <summary>
/// Runs alone, after the parallel collections: it restarts its broker, and two local RabbitMQ nodes restarting beside
/// each other's traffic on a two-core machine made both stacks flaky.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuorumQueuesCollection : ICollectionFixture<QuorumQueuesFixture>
{
    public const string Name = "quorum-queues";
}
