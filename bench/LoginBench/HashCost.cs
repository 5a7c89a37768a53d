using System.Security.Cryptography;
using NSec.Cryptography;

/// <summary>
/// One password verification's own CPU time: thread CPU time (not wall time, so other load on the machine does not
/// count) over many verifications on one thread, with the parameters each system uses.
/// </summary>
internal static class HashCost
{
    /// <summary>Login.Api's Argon2id (PasswordHashingOptions' defaults: m=19 MiB, t=2, p=1, 32-byte hash).</summary>
    public static double Argon2idMs(int count = 60)
    {
        var argon = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters { MemorySize = 19 * 1024, NumberOfPasses = 2, DegreeOfParallelism = 1 });
        var salt = RandomNumberGenerator.GetBytes(16);
        return PerCall(count, i => argon.DeriveBytes($"password-{i}", salt, 32));
    }

    /// <summary>ASP.NET Core Identity's default PasswordHasher (V3): PBKDF2-HMAC-SHA512, 100 000 iterations, 32-byte subkey.</summary>
    public static double Pbkdf2Ms(int count = 40)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return PerCall(count, i => Rfc2898DeriveBytes.Pbkdf2($"password-{i}", salt, 100_000, HashAlgorithmName.SHA512, 32));
    }

    /// <summary>
    /// Thread CPU per call, with one hashing thread per core running at once (as at saturation, where the services
    /// hash on every core; one thread alone measured 3-4 ms more per call on this machine than the services spend).
    /// </summary>
    private static double PerCall(int count, Action<int> verify, int? threads = null)
    {
        verify(-1); // warm-up: JIT, libsodium's init
        var n = threads ?? Environment.ProcessorCount;
        var cpu = new double[n];
        var workers = Enumerable.Range(0, n).Select(t => new Thread(() =>
        {
            var before = ProcStat.ThreadMs();
            for (var i = 0; i < count; i++)
            {
                verify(t * count + i);
            }
            cpu[t] = ProcStat.ThreadMs() - before;
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return cpu.Sum() / (n * count);
    }

    /// <summary>Both ways, for the record: one thread alone, and one per core at once.</summary>
    public static void Print()
    {
        var argon = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters { MemorySize = 19 * 1024, NumberOfPasses = 2, DegreeOfParallelism = 1 });
        var salt = RandomNumberGenerator.GetBytes(16);
        Console.WriteLine($"Argon2id m=19 MiB t=2: {PerCall(60, i => argon.DeriveBytes($"password-{i}", salt, 32), 1):F1} ms CPU per call on one thread, "
            + $"{PerCall(60, i => argon.DeriveBytes($"password-{i}", salt, 32)):F1} ms with {Environment.ProcessorCount} threads at once");
        Console.WriteLine($"PBKDF2-SHA512 100k: {PerCall(30, i => Rfc2898DeriveBytes.Pbkdf2($"password-{i}", salt, 100_000, HashAlgorithmName.SHA512, 32), 1):F1} ms on one thread, "
            + $"{PerCall(30, i => Rfc2898DeriveBytes.Pbkdf2($"password-{i}", salt, 100_000, HashAlgorithmName.SHA512, 32)):F1} ms with {Environment.ProcessorCount} at once");
    }
}
