using AccessPlatform.Login.Passwords;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Tests;

/// <summary>ASVS 5.0 6.2.1, 6.2.4, 6.2.5, 6.2.9.</summary>
public sealed class PasswordPolicyTests
{
    private readonly PasswordPolicy policy = new(Options.Create(new PasswordPolicyOptions()));

    [Theory]
    [InlineData("short-pass1", PasswordProblem.TooShort)]
    [InlineData("twelve-chars", PasswordProblem.None)]
    [InlineData("alllowercaseletters", PasswordProblem.None)]
    [InlineData("🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐", PasswordProblem.None)]
    [InlineData("🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐", PasswordProblem.TooShort)]
    public void Length_counts_characters_and_there_are_no_composition_rules(string password, PasswordProblem expected) =>
        Assert.Equal(expected, policy.Check(password));

    [Fact]
    public void Passwords_of_128_characters_are_accepted_and_longer_ones_refused()
    {
        Assert.Equal(PasswordProblem.None, policy.Check(new string('x', 64) + new string('y', 64)));
        Assert.Equal(PasswordProblem.TooLong, policy.Check(new string('x', 129)));
    }

    [Theory]
    [InlineData("unbelievable")]
    [InlineData("SCANDINAVIAN")]
    [InlineData("Contortionist")]
    public void The_most_common_passwords_are_refused_whatever_their_case(string password)
    {
        Assert.Equal(PasswordProblem.TooCommon, policy.Check(password));
    }
}
