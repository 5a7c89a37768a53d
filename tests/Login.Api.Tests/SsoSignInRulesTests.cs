using AccessPlatform.Login.Sso;

namespace AccessPlatform.Login.Tests;

/// <summary>The JIT username and email rules and the NameID format checks of SSO sign-in (issue 12).</summary>
public sealed class SsoSignInRulesTests
{
    [Fact]
    public void Jit_usernames_are_the_account_key_and_eight_random_base32_characters()
    {
        var names = Enumerable.Range(0, 200).Select(_ => SsoLinkStore.NewJitUsername("contoso")).ToList();

        Assert.All(names, n => Assert.Matches("^contoso-[a-z2-7]{8}$", n));
        Assert.True(names.Distinct().Count() > 190, "40 random bits: 200 draws practically never repeat");
    }

    [Theory]
    [InlineData("jane@example.com", true)]
    [InlineData(" jane@example.com ", true)]
    [InlineData("not an@address", false)]
    [InlineData("jane@localhost", false)]
    [InlineData("Jane <jane@example.com>", false)]
    [InlineData("", false)]
    public void Jit_emails_follow_the_rule_of_admin_created_users(string email, bool valid) =>
        Assert.Equal(valid, SsoSignIn.ValidEmail(email) is not null);

    [Theory]
    [InlineData("urn:oasis:names:tc:SAML:2.0:nameid-format:transient", true)]
    [InlineData("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", false)]
    [InlineData("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified", false)]
    [InlineData(null, false)]
    public void Only_the_transient_format_counts_as_transient(string? format, bool transient) =>
        Assert.Equal(transient, NameIdFormats.IsTransient(format));
}
