using System.Text;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Passwords;

public sealed class PasswordPolicyOptions
{
    public const string Section = "Login:PasswordPolicy";

    public int MinLength { get; set; } = 12;
    public int MaxLength { get; set; } = 128;
}

public enum PasswordProblem { None, TooShort, TooLong, TooCommon }

/// <summary>
/// ASVS 5.0 6.2: a length range counted in Unicode characters, no composition rules, and none of the 10,000 most
/// common passwords (shipped as an embedded list).
/// </summary>
public sealed class PasswordPolicy(IOptions<PasswordPolicyOptions> options)
{
    private static readonly Lazy<HashSet<string>> Common = new(LoadCommonPasswords);

    public int MinLength => options.Value.MinLength;

    public int MaxLength => options.Value.MaxLength;

    public PasswordProblem Check(string password)
    {
        var length = password.Normalize(NormalizationForm.FormC).EnumerateRunes().Count();
        return length < MinLength ? PasswordProblem.TooShort
            : length > MaxLength ? PasswordProblem.TooLong
            : Common.Value.Contains(password) ? PasswordProblem.TooCommon
            : PasswordProblem.None;
    }

    private static HashSet<string> LoadCommonPasswords()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is not embedded.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line);
            }
        }
        return set;
    }
}
