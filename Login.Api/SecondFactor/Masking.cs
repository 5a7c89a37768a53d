using PhoneNumbers;

namespace AccessPlatform.Login.SecondFactor;

/// <summary>Destinations shown on the challenge page, masked: <c>+385 9* *** **12</c>, <c>j***@contoso.com</c>.</summary>
public static class Masking
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static string Email(string email)
    {
        var at = email.IndexOf('@');
        return at <= 0 ? "***" : $"{email[0]}***{email[at..]}";
    }

    public static string Phone(string e164)
    {
        string formatted;
        try
        {
            formatted = Phones.Format(Phones.Parse(e164, null), PhoneNumberFormat.INTERNATIONAL);
        }
        catch (NumberParseException)
        {
            formatted = e164;
        }
        // Keep the country code, the first national digit and the last two digits.
        var space = formatted.IndexOf(' ');
        var digitsSeen = 0;
        var totalDigits = formatted.Count(char.IsDigit);
        var countryDigits = space > 0 ? formatted[..space].Count(char.IsDigit) : 0;
        return string.Concat(formatted.Select((c, i) =>
        {
            if (!char.IsDigit(c))
            {
                return c;
            }
            digitsSeen++;
            var keep = digitsSeen <= countryDigits + 1 || digitsSeen > totalDigits - 2;
            return keep ? c : '*';
        }));
    }
}

/// <summary>E.164 validation for phone numbers on profiles.</summary>
public static class PhoneNumbersE164
{
    public static bool TryNormalize(string? input, out string e164)
    {
        e164 = "";
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }
        try
        {
            var util = PhoneNumberUtil.GetInstance();
            var number = util.Parse(input, null);
            if (!util.IsValidNumber(number))
            {
                return false;
            }
            e164 = util.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }
}
