using AccessPlatform.Login.Signup;

namespace AccessPlatform.Login.Tests;

/// <summary>The character rule of new account keys (issue 18): look-alikes are refused, not normalised.</summary>
public sealed class AccountKeyTests
{
    [Theory]
    [InlineData("contoso")]
    [InlineData("abc")]
    [InlineData("fabrikam-eu-2")]
    [InlineData("0123456789012345678901234567890123456789")]
    public void Lowercase_letters_digits_and_inner_hyphens_are_accepted(string key) => Assert.Equal(AccountKeyProblem.None, AccountKeys.Check(key));

    [Theory]
    [InlineData("c\u03BFntoso")] // Greek small omicron
    [InlineData("\u0430cme")] // Cyrillic small a
    [InlineData("\u212Aelvin")] // Kelvin sign, which case-insensitive matching would take for "k"
    [InlineData("ｃontoso")] // fullwidth c
    [InlineData("contoso\n")] // "$" would accept a trailing newline
    [InlineData("Contoso")]
    [InlineData("-contoso")]
    [InlineData("contoso-")]
    [InlineData("con_toso")]
    [InlineData("con toso")]
    [InlineData("ab")]
    [InlineData("01234567890123456789012345678901234567890")]
    public void Anything_else_breaks_the_character_rule(string key) => Assert.Equal(AccountKeyProblem.Format, AccountKeys.Check(key));

    [Theory]
    [InlineData("admin")]
    [InlineData("api")]
    [InlineData("login")]
    [InlineData("internal")]
    [InlineData("signup")]
    public void Platform_names_are_reserved(string key) => Assert.Equal(AccountKeyProblem.Reserved, AccountKeys.Check(key));

    [Fact]
    public void A_missing_key_is_reported_as_missing() => Assert.Equal(AccountKeyProblem.Missing, AccountKeys.Check(null));

    [Fact]
    public void Every_reserved_name_would_otherwise_pass_the_character_rule() =>
        Assert.All(AccountKeys.Reserved, key => Assert.True(key.Length >= AccountKeys.MinLength && key.All(c => c is >= 'a' and <= 'z' or '-'), key));
}
