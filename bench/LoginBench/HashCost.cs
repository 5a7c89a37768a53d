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

    private static double PerCall(int count, Action<int> verify)
    {
        verify(-1); // warm-up: JIT, libsodium's init
        // One thread throughout, so its CPU clock is the one that did the work.
        var result = 0.0;
        var thread = new Thread(() =>
        {
            var before = ProcStat.ThreadMs();
            for (var i = 0; i < count; i++)
            {
                verify(i);
            }
            result = (ProcStat.ThreadMs() - before) / count;
        });
        thread.Start();
        thread.Join();
        return result;
    }
}
