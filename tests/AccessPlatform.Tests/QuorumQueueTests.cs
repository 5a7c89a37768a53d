using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace AccessPlatform.Tests;

/// <summary>
/// <c>Messaging:QuorumQueues=true</c> (production): every queue the services declare is a quorum queue, and delivery,
/// failure and replay work on them. The local broker has no management plugin, so the type is read over AMQP:
/// redeclaring a queue with <c>x-queue-type: quorum</c> succeeds only when it already is one (RabbitMQ refuses an
/// inequivalent <c>x-queue-type</c> with 406 PRECONDITION_FAILED) — shown on two probe queues first.
/// </summary>
[Collection(ReplicaCollection.Name)]
public sealed class QuorumQueueTests(ReplicaPlatformFixture platform)
{
    private PlatformFixture Platform => platform;

    [Fact]
    public async Task Every_receive_queue_is_a_quorum_queue_when_the_setting_is_on()
    {
        await using var connection = await ConnectAsync();
        await DeclareAsync(connection, "probe-classic", quorum: false);
        await DeclareAsync(connection, "probe-quorum", quorum: true);
        Assert.False(await IsQuorumAsync(connection, "probe-classic"), "the check tells a classic queue apart");
        Assert.True(await IsQuorumAsync(connection, "probe-quorum"));

        // The worker's delivery endpoints and their fault endpoint, and Login.Api's delivery-status endpoint.
        foreach (var queue in (string[])["send-email", "send-sms", "delivery-fault", "delivery-status"])
        {
            Assert.True(await IsQuorumAsync(connection, queue), $"{queue} is a quorum queue");
        }
    }

    [Fact]
    public async Task A_failed_sms_lands_in_a_quorum_error_queue_and_ops_replay_delivers_it_again()
    {
        using var loginApi = Platform.ResourceClient("login-api");
        using var sink = Platform.ResourceClient("twilio-sink");
        var before = await SinkCountAsync(sink);

        var sent = await loginApi.PostAsync($"/internal/ops/notifications/test?channel=sms&to={Uri.EscapeDataString(ReplicaPlatformFixture.InvalidNumber)}", null);
        Assert.True(sent.IsSuccessStatusCode, $"test SMS accepted: {(int)sent.StatusCode}");
        await Platform.WaitForSmsAsync(ReplicaPlatformFixture.InvalidNumber, m => m.Status == 400);

        await using var connection = await ConnectAsync();
        var errorQueued = false;
        for (var i = 0; i < 40 && !errorQueued; i++)
        {
            await Task.Delay(250);
            errorQueued = await MessageCountAsync(connection, "send-sms_error") >= 1;
        }
        Assert.True(errorQueued, "the permanent failure reached send-sms_error");
        Assert.True(await IsQuorumAsync(connection, "send-sms_error"), "the error queue is a quorum queue too");

        using var worker = Platform.ResourceClient("notifications-worker");
        var replayed = await (await worker.PostAsync("/internal/ops/replay-errors", null)).Content.ReadFromJsonAsync<Dictionary<string, int>>();
        Assert.True(replayed!["send-sms"] >= 1);

        var after = 0;
        for (var i = 0; i < 40 && after < before + 2; i++)
        {
            await Task.Delay(250);
            after = await SinkCountAsync(sink);
        }
        Assert.True(after >= before + 2, "the replayed message reached the provider again");
    }

    [Fact]
    public async Task After_a_broker_restart_the_queues_are_still_quorum_and_the_replay_connection_recovers_by_itself()
    {
        await Platform.StopResourceAsync("messaging");
        await Platform.StartResourceAsync("messaging");

        // The worker was not restarted: its connections (MassTransit's and the replay's) recover on their own.
        using var worker = Platform.ResourceClient("notifications-worker");
        var health = HttpStatusCode.ServiceUnavailable;
        for (var i = 0; i < 120 && health != HttpStatusCode.OK; i++)
        {
            await Task.Delay(500);
            health = (await worker.GetAsync("/health")).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, health);
        var replay = await worker.PostAsync("/internal/ops/replay-errors", null);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);

        await using var connection = await ConnectAsync();
        Assert.True(await IsQuorumAsync(connection, "send-sms"), "the queue came back from disk as a quorum queue");
    }

    private static async Task<int> SinkCountAsync(HttpClient sink) =>
        (await sink.GetFromJsonAsync<ReceivedSms[]>("/api/messages", PlatformFixture.JsonOptions))!.Count(m => m.To == ReplicaPlatformFixture.InvalidNumber);

    private async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = new Uri((await Platform.App.GetConnectionStringAsync("messaging"))!) }.CreateConnectionAsync();

    private static readonly Dictionary<string, object?> Quorum = new() { ["x-queue-type"] = "quorum" };

    private static async Task DeclareAsync(IConnection connection, string queue, bool quorum)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: quorum ? Quorum : null);
    }

    private static async Task<uint> MessageCountAsync(IConnection connection, string queue)
    {
        // A channel per probe: a failed declaration closes its channel.
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    private static async Task<bool> IsQuorumAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclarePassiveAsync(queue); // a missing queue fails the test here (404), not as "classic"
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: Quorum);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 406)
        {
            return false;
        }
    }
}
