using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Tests;

public sealed class PasswordHasherTests
{
    private static PasswordHasher Hasher(PasswordHashingOptions? options = null)
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        return new PasswordHasher(Options.Create(options ?? new PasswordHashingOptions()), new LoginMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
    }

    [Fact]
    public async Task A_hash_is_a_phc_string_with_owasp_argon2id_parameters()
    {
        var hash = await Hasher().HashAsync("correct horse battery staple");
        var parts = hash.Split('$');
        Assert.Equal(["", "argon2id", "v=19", "m=19456,t=2,p=1"], parts[..4]);
        Assert.Equal(16, Convert.FromBase64String(parts[4] + "==").Length);
        Assert.Equal(32, Convert.FromBase64String(parts[5] + "=").Length);
    }

    [Fact]
    public async Task The_same_password_hashes_differently_each_time()
    {
        var hasher = Hasher();
        Assert.NotEqual(await hasher.HashAsync("correct horse battery staple"), await hasher.HashAsync("correct horse battery staple"));
    }

    [Fact]
    public async Task The_right_password_verifies_and_a_wrong_one_does_not()
    {
        var hasher = Hasher();
        var hash = await hasher.HashAsync("correct horse battery staple");
        Assert.Equal(PasswordVerification.Success, await hasher.VerifyAsync(hash, "correct horse battery staple"));
        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hash, "correct horse battery stapl"));
        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hash, "Correct horse battery staple"));
    }

    [Fact]
    public async Task Unicode_passwords_verify_in_either_normal_form()
    {
        var hasher = Hasher();
        var composed = "pässwörd-ünïcode-ß";
        var hash = await hasher.HashAsync(composed);
        Assert.Equal(PasswordVerification.Success, await hasher.VerifyAsync(hash, composed.Normalize(System.Text.NormalizationForm.FormD)));
    }

    [Fact]
    public async Task A_hash_made_with_older_parameters_verifies_and_asks_for_a_rehash()
    {
        var old = await Hasher(new PasswordHashingOptions { MemoryKiB = 8 * 1024, Iterations = 1 }).HashAsync("correct horse battery staple");
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await Hasher().VerifyAsync(old, "correct horse battery staple"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$bad$bad")]
    [InlineData("$2b$12$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz012")]
    [InlineData("$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA")]
    public async Task Missing_or_unreadable_hashes_never_verify(string? stored)
    {
        Assert.Equal(PasswordVerification.Failed, await Hasher().VerifyAsync(stored, "anything at all"));
    }

    [Fact]
    public async Task When_every_slot_stays_busy_a_hash_gives_up_with_a_capacity_error()
    {
        var hasher = Hasher(new PasswordHashingOptions { MaxConcurrent = 1, QueueTimeoutMs = 1, MemoryKiB = 64 * 1024, Iterations = 4 });
        var hashes = Enumerable.Range(0, 8).Select(_ => hasher.HashAsync("correct horse battery staple")).ToArray();
        await Assert.ThrowsAsync<HashingCapacityExceededException>(async () => await Task.WhenAll(hashes));
        Assert.Contains(hashes, t => t.IsCompletedSuccessfully);
    }
}
