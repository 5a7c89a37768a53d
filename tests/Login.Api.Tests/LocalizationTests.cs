using System.Text.RegularExpressions;
using System.Xml.Linq;
using AccessPlatform.Login.Localization;

namespace AccessPlatform.Login.Tests;

public sealed partial class LocalizationTests
{
    private static readonly string Resources = Path.Combine(RepoRoot(), "Login.Api", "Resources");

    public static TheoryData<string> Languages => [.. Cultures.Supported.Select(c => c.Code).Where(c => c != "en")];

    /// <summary>
    /// Every translated resource family in Resources/ (each neutral <c>X.resx</c> but the English-only admin labels):
    /// a new family is covered by the parity tests as soon as it exists.
    /// </summary>
    public static readonly string[] Families =
        [.. Directory.GetFiles(Resources, "*.resx").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Where(name => !name.Contains('.') && name != "AdminResource").Order(StringComparer.Ordinal)];

    [Fact]
    public void The_known_families_are_found() =>
        Assert.Superset(new HashSet<string>(["SharedResource", "SignupResource"]), Families.ToHashSet());

    public static TheoryData<string, string> FamiliesAndLanguages
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var family in Families)
            {
                foreach (var (code, _) in Cultures.Supported.Where(c => c.Code != "en"))
                {
                    data.Add(family, code);
                }
            }
            return data;
        }
    }

    [Fact]
    public void At_least_twelve_languages_are_offered()
    {
        Assert.True(Cultures.Supported.Count >= 12);
        foreach (var code in new[] { "en", "de", "fr", "es", "it", "pt-BR", "hr", "pl", "tr", "ru", "zh-Hans", "ja" })
        {
            Assert.True(Cultures.IsSupported(code), code);
        }
    }

    [Theory]
    [MemberData(nameof(FamiliesAndLanguages))]
    public void Every_language_has_every_key_english_has_and_no_other(string family, string culture)
    {
        var english = Read($"{family}.resx");
        var translated = Read($"{family}.{culture}.resx");
        Assert.Empty(english.Keys.Except(translated.Keys));
        Assert.Empty(translated.Keys.Except(english.Keys));
        Assert.All(translated, pair => Assert.False(string.IsNullOrWhiteSpace(pair.Value), pair.Key));
    }

    [Theory]
    [MemberData(nameof(FamiliesAndLanguages))]
    public void Every_translation_keeps_the_placeholders_of_english(string family, string culture)
    {
        var english = Read($"{family}.resx");
        var translated = Read($"{family}.{culture}.resx");
        foreach (var (key, text) in english)
        {
            Assert.True(Placeholders(text).SequenceEqual(Placeholders(translated[key])), $"{culture}/{key}");
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_sign_in_code_sms_fits_one_segment(string culture)
    {
        var sms = string.Format(Read($"SharedResource.{culture}.resx")["Sms_Otp"], "123456");
        // GSM-7 holds 160 characters; anything outside plain ASCII is sent as UCS-2, which holds 70.
        var limit = sms.All(c => c < 128) ? 160 : 70;
        Assert.True(sms.Length <= limit, $"{culture}: {sms.Length} > {limit}");
    }

    /// <summary>With the origin-bound line (@host #code) a sign-in SMS may take a second segment, never a third.</summary>
    [Theory]
    [MemberData(nameof(Languages))]
    public void The_sign_in_code_sms_with_its_origin_line_fits_two_segments(string culture)
    {
        var sms = AccessPlatform.Login.Notifications.OriginBoundCode.Append(
            string.Format(Read($"SharedResource.{culture}.resx")["Sms_Otp"], "123456"), new Uri("https://sign-in.a-long-company-name.example"), "123456");
        // Concatenated segments carry a header: 153 GSM-7 or 67 UCS-2 characters each.
        var limit = sms.All(c => c < 128) ? 2 * 153 : 2 * 67;
        Assert.True(sms.Length <= limit, $"{culture}: {sms.Length} > {limit}");
    }

    [Fact]
    public void Every_translated_family_ships_every_language_and_nothing_else()
    {
        foreach (var family in Families)
        {
            var expected = Cultures.Supported.Select(c => c.Code == "en" ? $"{family}.resx" : $"{family}.{c.Code}.resx").Order();
            Assert.Equal(expected, Directory.GetFiles(Resources, $"{family}*.resx").Select(Path.GetFileName).Order());
        }
    }

    [Fact]
    public void The_admin_labels_are_english_only_and_complete()
    {
        // Admin labels live apart from the translated strings on purpose (see AdminResource); no partial translations.
        Assert.Empty(Directory.GetFiles(Resources, "AdminResource.*.resx"));
        Assert.All(Read("AdminResource.resx"), pair => Assert.False(string.IsNullOrWhiteSpace(pair.Value), pair.Key));
    }

    private static string[] Placeholders(string text) => [.. PlaceholderPattern().Matches(text).Select(m => m.Value).Order()];

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();

    private static Dictionary<string, string> Read(string file) =>
        XDocument.Load(Path.Combine(Resources, file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => d.Element("value")!.Value);

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "AccessPlatform.sln")))
        {
            directory = directory.Parent;
        }
        return directory.FullName;
    }
}
