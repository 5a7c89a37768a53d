using System.Xml.Linq;

namespace AccessPlatform.Tests;

/// <summary>Reads the shipped translations, so tests assert the page shows the language's own text.</summary>
public static class Resx
{
    /// <summary>A text of Login.Api's Resources/SharedResource*.resx.</summary>
    public static string Text(string culture, string key) => Text("Login.Api/Resources/SharedResource", culture, key);

    /// <summary>A text of any resx family, by its path from the repository root without culture or extension, e.g. "Sso.Api/Resources/SsoResource".</summary>
    public static string Text(string resource, string culture, string key)
    {
        var file = culture == "en" ? $"{resource}.resx" : $"{resource}.{culture}.resx";
        var path = Path.Combine(RepoRoot(), file);
        return XDocument.Load(path).Root!.Elements("data").Single(d => (string?)d.Attribute("name") == key).Element("value")!.Value;
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
