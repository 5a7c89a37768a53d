using System.Security.Cryptography;
using System.Text;
using AccessPlatform.Login.PasswordReset;
using Microsoft.AspNetCore.WebUtilities;

namespace AccessPlatform.Login.Tests;

public sealed class ResetTokenTests
{
    [Fact]
    public void A_token_carries_at_least_128_random_bits_in_url_safe_form()
    {
        var token = ResetToken.New();
        Assert.Equal(ResetToken.Length, token.Length);
        Assert.True(WebEncoders.Base64UrlDecode(token).Length * 8 >= 128);
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.True(ResetToken.IsWellFormed(token));
    }

    [Fact]
    public void Tokens_do_not_repeat()
    {
        var tokens = Enumerable.Range(0, 10_000).Select(_ => ResetToken.New()).ToHashSet();
        Assert.Equal(10_000, tokens.Count);
    }

    [Fact]
    public void Only_the_sha256_of_the_token_is_stored()
    {
        var token = ResetToken.New();
        var hash = ResetToken.HashOf(token);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token))), hash);
        Assert.Equal(64, hash.Length);
        Assert.DoesNotContain(token, hash);
        Assert.Equal(hash, ResetToken.HashOf(token));
        Assert.NotEqual(hash, ResetToken.HashOf(ResetToken.New()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%")]
    [InlineData("ÄAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Anything_else_is_refused_before_the_database(string? token) => Assert.False(ResetToken.IsWellFormed(token));

    [Fact]
    public void Lifetimes_default_to_an_hour_for_resets_and_three_days_for_invitations()
    {
        var options = new PasswordResetOptions();
        Assert.Equal(TimeSpan.FromMinutes(60), options.ResetLifetime);
        Assert.Equal(TimeSpan.FromHours(72), options.InvitationLifetime);
        Assert.Equal(3, options.MaxEmailsPerUserPerHour);
    }
}
