using System.Text.RegularExpressions;
using System.Xml.Linq;
using AccessPlatform.Login.Localization;

namespace AccessPlatform.Login.Tests;

public sealed partial class LocalizationTests
{
    private static readonly string Resources = Path.Combine(RepoRoot(), "Login.Api", "Resources");

    /// <summary>The shared admin layout's strings (AdminUi), held to the same parity as Login.Api's own families.</summary>
    private static readonly string AdminUiResources = Path.Combine(RepoRoot(), "AdminUi", "Resources");

    private static readonly string[] ResourceFolders = [Resources, AdminUiResources];

    public static TheoryData<string> Languages => [.. Cultures.Supported.Select(c => c.Code).Where(c => c != "en")];

    /// <summary>
    /// Every resource family in Login.Api/Resources and AdminUi/Resources (each neutral <c>X.resx</c>): a new family
    /// is covered by the parity tests as soon as it exists.
    /// </summary>
    public static readonly string[] Families =
        [.. ResourceFolders.SelectMany(folder => Directory.GetFiles(folder, "*.resx")).Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Where(name => !name.Contains('.')).Order(StringComparer.Ordinal)];

    [Fact]
    public void The_known_families_are_found() =>
        Assert.Superset(new HashSet<string>(["SharedResource", "SignupResource", "AdminResource", "AdminApiResource", "AdminUiResource"]), Families.ToHashSet());

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
            Assert.Equal(expected, Directory.GetFiles(FolderOf(family), $"{family}*.resx").Select(Path.GetFileName).Order());
        }
    }

    private static string[] Placeholders(string text) => [.. PlaceholderPattern().Matches(text).Select(m => m.Value).Order()];

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();

    private static Dictionary<string, string> Read(string file) =>
        XDocument.Load(Path.Combine(FolderOf(file.Split('.')[0]), file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => d.Element("value")!.Value);

    private static string FolderOf(string family) =>
        ResourceFolders.First(folder => File.Exists(Path.Combine(folder, $"{family}.resx")));

    /// <summary>Every audit event type the services record has a name on the audit page (Event_&lt;type&gt; in AdminResource).</summary>
    [Fact]
    public void Every_known_audit_event_has_a_name_for_people()
    {
        var names = Read("AdminResource.resx");
        var types = new[] { typeof(Audit.AuditEvents), typeof(AccountChanges.AccountChangeAuditEvents), typeof(Signup.SignupAuditEvents), typeof(Sso.SsoAuditEvents) }
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            // Event types are dotted ("login.failed"); the same classes also hold reason codes ("self", "operator").
            .Where(value => value.Contains('.'))
            .ToList();
        Assert.True(types.Count >= 50, $"only {types.Count} event types found");
        Assert.All(types, type => Assert.True(names.ContainsKey(Audit.AuditEventText.EventPrefix + type), $"no Event_{type} in AdminResource.resx"));
    }

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
