namespace AccessPlatform.Contracts;

/// <summary>
/// Broker topology shared by every service that declares queues (the worker's delivery endpoints, Login.Api's
/// delivery-status endpoint), bound from <see cref="Section"/>.
/// </summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>
    /// Declare receive queues as quorum queues (replicated by Raft over the broker cluster, so a lost node loses no
    /// message). On in production, off in dev: an existing queue cannot change its type, and the dev broker keeps
    /// the classic queues it declared before.
    /// </summary>
    public bool QuorumQueues { get; set; }
}
