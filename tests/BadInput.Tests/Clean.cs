using System.Text.RegularExpressions;

namespace BadInput.Tests;

/// <summary>What a caller may see in an error: a reason, never the inside of the process.</summary>
public static partial class Clean
{
    // A stack frame, an exception type or a namespace of ours or of the framework.
    [GeneratedRegex(@"(\bat [\w.<>`]+\(|\w+Exception\b|\bSystem\.[A-Z]|\bMicrosoft\.[A-Z]|\bWsis\.[A-Z]|\bPlatform\.[A-Z]|\bGoogle\.Protobuf\b|\bNpgsql\b|\.cs:line\b)")]
    private static partial Regex Internals();

    public static void AssertNoInternals(string? text, string where)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var match = Internals().Match(text);
        Assert.False(match.Success, $"{where} shows the inside of the process ('{match.Value}'): {Shorten(text)}");
    }

    public static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";
}
