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
