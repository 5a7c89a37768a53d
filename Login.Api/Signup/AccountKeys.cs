using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace AccessPlatform.Login.Signup;

public enum AccountKeyProblem { None, Missing, Format, Reserved }

/// <summary>
/// The rule for new account keys: they become part of URLs (<c>/login/saml/{key}/</c>) that users trust, so only
/// lowercase ASCII letters, digits and inner hyphens, 3 to 40 characters. Look-alike letters from other scripts
/// (a Greek omicron in "cοntoso") fall outside the character class and are refused, not normalised.
/// </summary>
public static partial class AccountKeys
{
    public const int MinLength = 3;
    public const int MaxLength = 40;

    /// <summary>Names of the platform's own paths and roles, which an account must not be able to pose as.</summary>
    public static readonly FrozenSet<string> Reserved = FrozenSet.Create(StringComparer.Ordinal,
        "admin", "administrator", "api", "login", "logout", "internal", "signup", "sign-up", "sso", "saml", "auth", "account", "accounts",
        "operator", "operators", "platform", "access-platform", "root", "system", "support", "help", "security", "status", "health",
        "alive", "www", "mail", "email", "static", "assets", "terms", "privacy", "contact", "language", "reset-password",
        "forgot-password", "login-code", "test", "testing", "null", "undefined");

    public static AccountKeyProblem Check(string? key) =>
        string.IsNullOrEmpty(key) ? AccountKeyProblem.Missing
        : key.Length is < MinLength or > MaxLength || !Pattern().IsMatch(key) ? AccountKeyProblem.Format
        : Reserved.Contains(key) ? AccountKeyProblem.Reserved
        : AccountKeyProblem.None;

    // \z, not $: "$" would also accept a trailing newline. No IgnoreCase: it would let the Kelvin sign through as "k".
    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
