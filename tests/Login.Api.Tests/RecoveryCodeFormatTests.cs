using AccessPlatform.Login.SecondFactor;

namespace AccessPlatform.Login.Tests;

/// <summary>Recovery codes: 10 characters of a 32-character alphabet without look-alikes (50 bits), typed forgivingly.</summary>
public sealed class RecoveryCodeFormatTests
{
    [Fact]
    public void The_alphabet_has_32_distinct_characters_and_none_that_look_alike()
    {
        Assert.Equal(32, RecoveryCodeFormat.Alphabet.Distinct().Count());
        Assert.DoesNotContain(RecoveryCodeFormat.Alphabet, c => c is 'I' or 'L' or 'O' or 'U');
        Assert.Equal(50, RecoveryCodeFormat.Length * Math.Log2(RecoveryCodeFormat.Alphabet.Length));
    }

    [Fact]
    public void A_set_is_ten_distinct_codes_of_the_alphabet()
    {
        var set = RecoveryCodeFormat.NewSet();
        Assert.Equal(10, set.Count);
        Assert.Equal(10, set.Distinct().Count());
        Assert.All(set, code => Assert.True(code.Length == 10 && code.All(RecoveryCodeFormat.Alphabet.Contains)));
    }

    [Theory]
    [InlineData("ABCDE-12345", "ABCDE12345")]
    [InlineData("abcde 12345", "ABCDE12345")]
    [InlineData("  0o1iL-zzzzz ", "00111ZZZZZ")]
    public void Typed_codes_are_normalized(string typed, string expected) => Assert.Equal(expected, RecoveryCodeFormat.Normalize(typed));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABCDE-1234")]
    [InlineData("ABCDE-123456")]
    [InlineData("ABCDE-1234U")]
    [InlineData("ABCDE_12345")]
    [InlineData("ＡBCDE-12345")]
    [InlineData("ABCDE-12345                                       ")]
    public void Anything_else_is_not_a_code(string? typed) => Assert.Null(RecoveryCodeFormat.Normalize(typed));

    [Fact]
    public void A_code_is_shown_in_two_groups_of_five() => Assert.Equal("ABCDE-12345", RecoveryCodeFormat.Display("ABCDE12345"));
}
