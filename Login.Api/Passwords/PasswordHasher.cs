using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using AccessPlatform.Login.Telemetry;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace AccessPlatform.Login.Passwords;

public sealed class PasswordHashingOptions
{
    public const string Section = "Login:PasswordHashing";

    /// <summary>OWASP's first Argon2id choice: m=19 MiB, t=2, p=1.</summary>
    public int MemoryKiB { get; set; } = 19 * 1024;
    public int Iterations { get; set; } = 2;
    public int Parallelism { get; set; } = 1;

    /// <summary>Hashes running at once (each holds MemoryKiB); 0 means the core count.</summary>
    public int MaxConcurrent { get; set; }

    /// <summary>How long a login waits for a hashing slot before it gets 503 + Retry-After.</summary>
    public int QueueTimeoutMs { get; set; } = 2_000;
}

/// <summary>Raised when every hashing slot stayed busy for the whole queue timeout.</summary>
public sealed class HashingCapacityExceededException() : Exception("Password hashing capacity exceeded");

public enum PasswordVerification { Failed, Success, SuccessRehashNeeded }

/// <summary>
/// Argon2id through libsodium (NSec), stored as a PHC string (<c>$argon2id$v=19$m=..,t=..,p=..$salt$hash</c>) so
/// the parameters travel with the hash and can be raised later: a login with old parameters rehashes transparently.
/// A semaphore bounds how many hashes run at once, so a flood of logins cannot exhaust memory.
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly PasswordHashingOptions options;
    private readonly SemaphoreSlim slots;
    private readonly LoginMetrics metrics;
    private readonly string dummyHash;

    public PasswordHasher(IOptions<PasswordHashingOptions> options, LoginMetrics metrics)
    {
        this.options = options.Value;
        this.metrics = metrics;
        var concurrent = this.options.MaxConcurrent > 0 ? this.options.MaxConcurrent : Environment.ProcessorCount;
        slots = new SemaphoreSlim(concurrent, concurrent);
        dummyHash = Format(this.options.MemoryKiB, this.options.Iterations, this.options.Parallelism,
            RandomNumberGenerator.GetBytes(SaltBytes), RandomNumberGenerator.GetBytes(HashBytes));
    }

    public async Task<string> HashAsync(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = await DeriveAsync(password, salt, options.MemoryKiB, options.Iterations, options.Parallelism, HashBytes);
        return Format(options.MemoryKiB, options.Iterations, options.Parallelism, salt, hash);
    }

    /// <summary>Verifies against the stored PHC string; a null or unreadable hash verifies a dummy so timing does not tell.</summary>
    public async Task<PasswordVerification> VerifyAsync(string? phc, string password)
    {
        if (phc is null || !TryParse(phc, out var parsed))
        {
            await VerifyDummyAsync(password);
            return PasswordVerification.Failed;
        }
        var actual = await DeriveAsync(password, parsed.Salt, parsed.MemoryKiB, parsed.Iterations, parsed.Parallelism, parsed.Hash.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, parsed.Hash))
        {
            return PasswordVerification.Failed;
        }
        return parsed.MemoryKiB == options.MemoryKiB && parsed.Iterations == options.Iterations && parsed.Parallelism == options.Parallelism
            ? PasswordVerification.Success
            : PasswordVerification.SuccessRehashNeeded;
    }

    /// <summary>Costs the same as a real verification: used for unknown and locked users.</summary>
    public Task VerifyDummyAsync(string password) => VerifyAsync(dummyHash, password);

    private async Task<byte[]> DeriveAsync(string password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        metrics.HashQueued(+1);
        bool entered;
        try
        {
            entered = await slots.WaitAsync(options.QueueTimeoutMs);
        }
        finally
        {
            metrics.HashQueued(-1);
        }
        if (!entered)
        {
            throw new HashingCapacityExceededException();
        }
        try
        {
            var started = Stopwatch.GetTimestamp();
            var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
            {
                MemorySize = memoryKiB,
                NumberOfPasses = iterations,
                DegreeOfParallelism = parallelism,
            });
            // Off the request thread: Argon2id is CPU- and memory-bound for ~17 ms.
            var result = await Task.Run(() =>
            {
                var cpuBefore = ThreadCpuTime.NowMs();
                var derived = algorithm.DeriveBytes(Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormC)), salt, length);
                if (cpuBefore is { } before && ThreadCpuTime.NowMs() is { } after)
                {
                    metrics.HashCpu(after - before);
                }
                return derived;
            });
            metrics.HashDuration(Stopwatch.GetElapsedTime(started));
            return result;
        }
        finally
        {
            slots.Release();
        }
    }

    private static string Format(int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash) =>
        $"$argon2id$v=19$m={memoryKiB},t={iterations},p={parallelism}${B64(salt)}${B64(hash)}";

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private sealed record Phc(int MemoryKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash);

    private static bool TryParse(string phc, out Phc parsed)
    {
        parsed = null!;
        var parts = phc.Split('$');
        if (parts is not ["", "argon2id", "v=19", var parameters, var salt, var hash])
        {
            return false;
        }
        int m = 0, t = 0, p = 0;
        foreach (var pair in parameters.Split(','))
        {
            var kv = pair.Split('=');
            if (kv.Length != 2 || !int.TryParse(kv[1], out var value))
            {
                return false;
            }
            switch (kv[0])
            {
                case "m": m = value; break;
                case "t": t = value; break;
                case "p": p = value; break;
                default: return false;
            }
        }
        try
        {
            parsed = new Phc(m, t, p, FromB64(salt), FromB64(hash));
            // Bounds keep a tampered row from asking for absurd work or lengths libsodium refuses.
            return m is >= 8 and <= 1 << 20 && t is >= 1 and <= 16 && p is >= 1 and <= 16
                && parsed.Salt.Length == SaltBytes && parsed.Hash.Length is >= 16 and <= 64;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static byte[] FromB64(string value) => Convert.FromBase64String(value.PadRight(value.Length + (4 - value.Length % 4) % 4, '='));

    public void Dispose() => slots.Dispose();
}
