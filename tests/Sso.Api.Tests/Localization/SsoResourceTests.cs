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
