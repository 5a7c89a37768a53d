using System.Security.Cryptography;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>
/// What a recovery code looks like: <see cref="Length"/> characters of Crockford's Base32 alphabet (no I, L, O, U),
/// 5 bits each, so 50 bits per code, <see cref="CodesPerSet"/> per set. Typed input is forgiving the way Crockford
/// specifies: case, spaces and hyphens are ignored, O reads as 0, I and L as 1.
/// </summary>
public static class RecoveryCodeFormat
{
    public const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    public const int Length = 10;
    public const int CodesPerSet = 10;

    /// <summary>Longest input worth looking at (a code with separators and spaces); longer is refused unread.</summary>
    public const int MaxInputLength = 32;

    public static string NewCode() => new(RandomNumberGenerator.GetItems<char>(Alphabet, Length));

    public static IReadOnlyList<string> NewSet() => [.. Enumerable.Range(0, CodesPerSet).Select(_ => NewCode())];

    /// <summary>As shown and downloaded: two groups of five, easier to copy by hand.</summary>
    public static string Display(string code) => $"{code[..5]}-{code[5..]}";

    /// <summary>The canonical code, or null when the input cannot be one (wrong length or characters).</summary>
    public static string? Normalize(string? input)
    {
        if (input is null || input.Length > MaxInputLength)
        {
            return null;
        }
        Span<char> code = stackalloc char[Length];
        var n = 0;
        foreach (var raw in input)
        {
            if (raw is ' ' or '-')
            {
                continue;
            }
            var c = char.ToUpperInvariant(raw) switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                var other => other,
            };
            if (n == Length || !Alphabet.Contains(c))
            {
                return null;
            }
            code[n++] = c;
        }
        return n == Length ? new string(code) : null;
    }
}
