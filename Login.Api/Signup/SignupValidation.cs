using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using AccessPlatform.Login.Apis;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.SecondFactor;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Signup;

/// <summary>What the sign-up form and <c>POST /api/signup</c> take.</summary>
public sealed record SignupRequest(string? CompanyName, string? AccountKey, string? Username, string? Email, string? Phone, string? Password,
    bool? AcceptTerms);

/// <summary>What an operator gives for a new account and its first Account Manager (<c>POST /internal/operator/accounts</c>).</summary>
public sealed record OperatorAccountRequest(string? Key, string? Name, string? Username, string? Email, string? Phone, string? Language);

/// <summary>Fields after validation: trimmed, the phone in E.164.</summary>
public sealed record ValidAccountFields(string CompanyName, string AccountKey, string Username, string Email, string? Phone);

/// <summary>
/// The field rules of sign-up and operator provisioning, with localized messages per field (problem+json
/// <c>errors</c>). Everything that could be hostile is refused, not repaired: control and invisible formatting
/// characters, oversized values, look-alike letters in the account key.
/// </summary>
public sealed partial class SignupValidation(PasswordPolicy policy, IStringLocalizer<SignupResource> text, IStringLocalizer<SharedResource> shared)
{
    public const int MaxCompanyName = 100;
    public const int MaxEmail = 254;
    public const int MaxPhone = 32;
    public const int MaxPasswordInput = 512;

    public ValidAccountFields? Validate(string? companyName, string? accountKey, string? username, string? email, string? phone,
        Dictionary<string, string[]> errors, string companyField = "companyName", string keyField = "accountKey")
    {
        var name = companyName?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxCompanyName || HasHostileCharacters(name))
        {
            errors[companyField] = [text["Err_CompanyName", MaxCompanyName]];
        }
        switch (AccountKeys.Check(accountKey))
        {
            case AccountKeyProblem.Missing or AccountKeyProblem.Format:
                errors[keyField] = [text["Err_AccountKey_Format", AccountKeys.MinLength, AccountKeys.MaxLength]];
                break;
            case AccountKeyProblem.Reserved:
                errors[keyField] = [text["Err_AccountKey_Reserved"]];
                break;
        }
        var user = username?.Trim();
        if (user is null || !UsernamePattern().IsMatch(user))
        {
            errors["username"] = [text["Err_Username"]];
        }
        var address = email?.Trim();
        if (address is null || address.Length > MaxEmail || HasHostileCharacters(address) || !MailAddress.TryCreate(address, out var parsed)
            || parsed.Address != address || parsed.DisplayName.Length > 0 || !parsed.Host.Contains('.'))
        {
            errors["email"] = [text["Err_Email"]];
        }
        string? e164 = null;
        if (!string.IsNullOrWhiteSpace(phone) && (phone.Length > MaxPhone || HasHostileCharacters(phone) || !PhoneNumbersE164.TryNormalize(phone, out e164)))
        {
            errors["phone"] = [text["Err_Phone"]];
        }
        return errors.Count > 0 ? null : new ValidAccountFields(name!, accountKey!, user!, address!, e164);
    }

    /// <summary>The platform's password policy, with its own messages.</summary>
    public void ValidatePassword(string? password, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(password) || password.Length > MaxPasswordInput)
        {
            errors["password"] = [string.IsNullOrEmpty(password) ? shared["Reset_TooShort", policy.MinLength] : shared["Reset_TooLong", policy.MaxLength]];
        }
        else if (policy.Check(password) is var problem and not PasswordProblem.None)
        {
            errors["password"] = [PasswordApi.ProblemText(problem, policy, shared)];
        }
    }

    public string Message(string key, params object[] arguments) => text[key, arguments];

    /// <summary>
    /// Control characters, lone surrogates, and the invisible format characters (bidi overrides, zero-width) that
    /// make text lie about itself.
    /// </summary>
    public static bool HasHostileCharacters(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c) || char.IsControl(c)
                || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return true;
            }
        }
        return false;
    }

    // The same username rule as the Users & Teams page; \z so a trailing newline is not accepted.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePattern();
}
