using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using StackExchange.Redis;

namespace AccessPlatform.Login.Flow;

/// <summary>Where waiting flows live; an interface so the flow can be tested with fake steps and no Redis.</summary>
public interface ILoginStateStore
{
    Task SaveAsync(LoginState state, bool create);
    Task<LoginState?> GetAsync(string flowId);

    /// <summary>Ends the flow; true only for the one caller that ended it (single use).</summary>
    Task<bool> EndAsync(string flowId);
}

/// <summary>
/// Waiting flows in Redis under the SHA-256 of the flow id (a dump of Redis yields no usable id). Updates only touch
/// a flow that still exists, so an update racing the end of a flow cannot bring it back without its expiry.
/// </summary>
public sealed class LoginStateStore(IConnectionMultiplexer redis) : ILoginStateStore
{
    /// <summary>How long a login may wait for the user before it must start again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public static string NewFlowId() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>A flow id as this service issues them (43 base64url characters); anything else is not looked up.</summary>
    public static bool IsWellFormed(string? flowId) =>
        flowId is { Length: 43 } && flowId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public Task SaveAsync(LoginState state, bool create) => create
        ? redis.GetDatabase().StringSetAsync(Key(state.FlowId), JsonSerializer.Serialize(state), Lifetime, When.NotExists)
        : redis.GetDatabase().StringSetAsync(Key(state.FlowId), JsonSerializer.Serialize(state), expiry: null, keepTtl: true, when: When.Exists);

    public async Task<LoginState?> GetAsync(string flowId)
    {
        if (!IsWellFormed(flowId))
        {
            return null;
        }
        var json = await redis.GetDatabase().StringGetAsync(Key(flowId));
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<LoginState>(json.ToString());
    }

    public Task<bool> EndAsync(string flowId) => redis.GetDatabase().KeyDeleteAsync(Key(flowId));

    private static RedisKey Key(string flowId) => $"login-flow:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(flowId)))}";
}
