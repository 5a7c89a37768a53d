using Microsoft.Extensions.Hosting;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Sso.Api.Tests.Localization;

public sealed partial class SsoResourceTests
{
    private static readonly string Resources = Path.Combine(RepoRoot(), "Sso.Api", "Resources");

    public static TheoryData<string> Languages => [.. PlatformCultures.Supported.Select(c => c.Code).Where(c => c != "en")];

    [Fact]
    public void The_same_twelve_languages_as_login_are_offered()
    {
        Assert.Equal(["en", "de", "fr", "es", "it", "pt-BR", "hr", "pl", "tr", "ru", "zh-Hans", "ja"], PlatformCultures.Supported.Select(c => c.Code));
        Assert.All(PlatformCultures.Supported.Select(c => c.Code).Where(c => c != "en"), c => Assert.True(File.Exists(Path.Combine(Resources, $"SsoResource.{c}.resx")), c));
        Assert.Equal(PlatformCultures.Supported.Count, Directory.GetFiles(Resources, "SsoResource*.resx").Length);
    }

    [Fact]
    public void Every_settings_refusal_has_a_sentence_for_people()
    {
        var english = Read("SsoResource.resx");
        // The metadata reader names each rule by a code (SamlMetadataException.Code); the settings page and API show it.
        var reader = File.ReadAllText(Path.Combine(RepoRoot(), "Sso.Api", "Saml", "IdpMetadataReader.cs"));
        var codes = MetadataCodes().Matches(reader).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(codes.Count >= 10, $"only {codes.Count} metadata rules found");
        Assert.All(codes, code => Assert.True(english.ContainsKey("Valid_Metadata_" + code), $"no Valid_Metadata_{code}"));
        Assert.All(AccessPlatform.Sso.Metadata.MetadataFetchFailure.All, reason => Assert.True(english.ContainsKey("Meta_Error_" + reason), $"no Meta_Error_{reason}"));
    }

    [GeneratedRegex("new SamlMetadataException\\(\"([a-z-]+)\"")]
    private static partial Regex MetadataCodes();

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_language_has_every_key_english_has_and_no_other(string culture)
    {
        var english = Read("SsoResource.resx");
        var translated = Read($"SsoResource.{culture}.resx");
        Assert.Empty(english.Keys.Except(translated.Keys));
        Assert.Empty(translated.Keys.Except(english.Keys));
        Assert.All(translated, pair => Assert.False(string.IsNullOrWhiteSpace(pair.Value), pair.Key));
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_translation_keeps_the_placeholders_of_english(string culture)
    {
        var english = Read("SsoResource.resx");
        var translated = Read($"SsoResource.{culture}.resx");
        foreach (var (key, text) in english)
        {
            Assert.True(Placeholders(text).SequenceEqual(Placeholders(translated[key])), $"{culture}/{key}");
        }
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
