using System.Xml.Linq;

namespace AccessPlatform.Tests;

/// <summary>Reads the shipped translations, so tests assert the page shows the language's own text.</summary>
public static class Resx
{
    public static string Text(string culture, string key)
    {
        var file = culture == "en" ? "SharedResource.resx" : $"SharedResource.{culture}.resx";
        var path = Path.Combine(RepoRoot(), "Login.Api", "Resources", file);
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
