using AccessPlatform.Login.Telemetry;
using Microsoft.AspNetCore.Identity;

namespace AccessPlatform.Bench.AspNetIdentityPeer;

/// <summary>
/// Around Identity's hasher (its stock one, or Argon2id): the thread CPU time of each verification, summed, so the bench
/// measures the peer's hash share the way Login.Api measures its own (the hashers are synchronous: one thread each call).
/// </summary>
public sealed class MeasuredPasswordHasher<TUser>(IPasswordHasher<TUser> inner, HashCpuTotals totals) : IPasswordHasher<TUser> where TUser : class
{
    public string HashPassword(TUser user, string password) => inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(TUser user, string hashedPassword, string providedPassword)
    {
        var before = ThreadCpuTime.NowMs();
        var result = inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        if (before is { } b && ThreadCpuTime.NowMs() is { } after)
        {
            totals.Add(after - b);
        }
        return result;
    }
}

/// <summary>Verifications and their CPU time since start; <c>GET /bench/hash-cpu</c> answers them.</summary>
public sealed class HashCpuTotals
{
    private long count;
    private long microseconds;

    public void Add(double milliseconds)
    {
        Interlocked.Increment(ref count);
        Interlocked.Add(ref microseconds, (long)(milliseconds * 1000));
    }

    public (long Hashes, double CpuMs) Read() => (Interlocked.Read(ref count), Interlocked.Read(ref microseconds) / 1000.0);
}
