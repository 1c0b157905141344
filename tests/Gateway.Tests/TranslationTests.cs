using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace Gateway.Tests;

/// <summary>Every interface string the pages ask the localizer for has its French text: a French
/// reader never meets an English label left behind.</summary>
public sealed class TranslationTests
{
    [Fact]
    public void Every_string_of_the_pages_has_a_french_translation()
    {
        var gateway = Path.Combine(RepositoryRoot(), "gateway");
        var french = XDocument.Load(Path.Combine(gateway, "Resources", "SharedResource.fr.resx")).Root!
            .Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        var asked = Directory.EnumerateFiles(Path.Combine(gateway, "Pages"), "*.cshtml", SearchOption.AllDirectories)
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "\\bT\\[\"((?:[^\"\\\\]|\\\\.)*)\"\\]").Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Value)))
            .Concat(Directory.EnumerateFiles(gateway, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .SelectMany(f => Regex.Matches(File.ReadAllText(f), "\"(Pages of [a-z ]+)\"|\\bt\\[\"((?:[^\"\\\\]|\\\\.)*)\"\\]")
                    .Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value))))
            .ToList();

        Assert.NotEmpty(asked);
        var missing = asked.Where(a => !french.Contains(a.Key)).Select(a => $"{a.File}: {a.Key}").Distinct().ToList();
        Assert.True(missing.Count == 0, "no French for:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Every_action_the_services_record_in_a_history_has_a_label_in_english_and_french()
    {
        var root = RepositoryRoot();
        var french = XDocument.Load(Path.Combine(root, "gateway", "Resources", "SharedResource.fr.resx")).Root!
            .Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        // The models name each action where they record it: Record("…", RecordProcedures("…", HistoryEntry.Of(kind, id, "…".
        var recorded = Directory.EnumerateFiles(Path.Combine(root, "services"), "*.cs", SearchOption.AllDirectories)
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}Model{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "\\b(?:Record|RecordProcedures)\\(\"([A-Za-z]+)\"|HistoryEntry\\.Of\\([^,]+,[^,]+, \"([A-Za-z]+)\""))
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("CoordinatorNominated", recorded);
        Assert.Contains("EmailAssigned", recorded);
        var labels = Wsis.Gateway.Pages.Workspace.HistoryModel.Labels;
        var unlabelled = recorded.Where(a => !labels.ContainsKey(a)).ToList();
        Assert.True(unlabelled.Count == 0, "no label for: " + string.Join(", ", unlabelled));
        var untranslated = labels.Values.Where(l => !french.Contains(l)).ToList();
        Assert.True(untranslated.Count == 0, "no French for: " + string.Join(", ", untranslated));
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
