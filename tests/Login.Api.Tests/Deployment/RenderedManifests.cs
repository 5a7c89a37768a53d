using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace AccessPlatform.Login.Tests.Deployment;

/// <summary>
/// One overlay of deploy/kubernetes rendered by <c>kubectl kustomize</c> (test.sh installs kubectl when missing),
/// each object read with YamlDotNet into a <see cref="JsonNode"/> (every scalar a string) for plain navigation.
/// </summary>
public sealed partial class RenderedManifests
{
    public IReadOnlyList<JsonObject> Objects { get; }

    private RenderedManifests(IReadOnlyList<JsonObject> objects) => Objects = objects;

    public static string RepoRoot { get; } = FindRepoRoot();

    public static RenderedManifests Render(string overlay)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(RepoRoot, "deploy", "kubernetes", "overlays", overlay)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("kubectl is not installed: ./test.sh installs it (apt-get install kubernetes-client).", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var yaml = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"kubectl kustomize {overlay} failed: {stderr.Result}");
            return new RenderedManifests(Parse(yaml));
        }
    }

    private static List<JsonObject> Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var json = new SerializerBuilder().JsonCompatible().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var objects = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (deserializer.Deserialize(parser) is { } document)
            {
                objects.Add(JsonNode.Parse(json.Serialize(document))!.AsObject());
            }
        }
        return objects;
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Str(o["kind"]) == kind);

    public JsonObject Single(string kind, string name) => OfKind(kind).Single(o => Name(o) == name);

    public static string Name(JsonNode? o) => Str(o?["metadata"]?["name"]);

    public static string Str(JsonNode? node) => node?.GetValue<string>() ?? "";

    public static IEnumerable<JsonNode> Items(JsonNode? array) => array?.AsArray().Where(n => n is not null).Select(n => n!) ?? [];

    /// <summary>Deployments and the Job: everything that runs pods, with its pod spec.</summary>
    public IEnumerable<(string Owner, JsonObject PodSpec)> PodSpecs =>
        Objects.Where(o => Str(o["kind"]) is "Deployment" or "Job")
            .Select(o => ($"{Str(o["kind"])}/{Name(o)}", o["spec"]!["template"]!["spec"]!.AsObject()));

    public IEnumerable<(string Owner, JsonObject Container)> Containers =>
        PodSpecs.SelectMany(p => Items(p.PodSpec["containers"]).Concat(Items(p.PodSpec["initContainers"]))
            .Select(c => ($"{p.Owner}/{Str(c["name"])}", c.AsObject())));

    /// <summary>The ContainerRepository of every project that publishes an image (dotnet publish -t:PublishContainer).</summary>
    public static IReadOnlyDictionary<string, string> PublishedRepositories() =>
        Directory.EnumerateFiles(RepoRoot, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(p => (Project: Path.GetRelativePath(RepoRoot, p), Match: ContainerRepository().Match(File.ReadAllText(p))))
            .Where(x => x.Match.Success)
            .ToDictionary(x => x.Match.Groups[1].Value.Trim(), x => x.Project);

    /// <summary>
    /// Every setting docs/configuration.md lists, as a pattern over configuration keys: the first cell of each
    /// table row, where "`A:B:C` / `D`" means A:B:C and A:B:D, and <c>{name}</c> or <c>*</c> stand for any segment(s).
    /// </summary>
    public static IReadOnlyList<Regex> DocumentedSettings()
    {
        var patterns = new List<Regex>();
        foreach (var line in File.ReadLines(Path.Combine(RepoRoot, "docs", "configuration.md")))
        {
            if (!line.StartsWith("| `", StringComparison.Ordinal))
            {
                continue;
            }
            var cell = line.Split('|')[1];
            string? previous = null;
            foreach (Match token in BacktickToken().Matches(cell))
            {
                var key = token.Groups[1].Value;
                if (!key.Contains(':') && previous is not null && previous.Contains(':'))
                {
                    key = previous[..(previous.LastIndexOf(':') + 1)] + key;
                }
                previous = key;
                var pattern = Regex.Replace(Regex.Escape(key), @"\\\{[^}]*}|\\\*", m => m.Value == @"\*" ? ".*" : "[^:]+");
                patterns.Add(new Regex($"^{pattern}$", RegexOptions.IgnoreCase));
            }
        }
        return patterns;
    }

    /// <summary>An environment variable as the configuration key .NET reads: "__" is ":", array indexes dropped.</summary>
    public static string SettingOf(string environmentVariable) =>
        ArrayIndex().Replace(environmentVariable.Replace("__", ":"), "");

    private static string FindRepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AccessPlatform.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }

    [GeneratedRegex(@"<ContainerRepository>([^<]+)</ContainerRepository>")]
    private static partial Regex ContainerRepository();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex BacktickToken();

    [GeneratedRegex(@":\d+$")]
    private static partial Regex ArrayIndex();
}
