using System.Net;
using System.Text.RegularExpressions;

namespace Wsis.Consultations.Model.Mail;

/// <summary>
/// Plain text from an HTML mail body, for messages that have no text/plain alternative. It keeps
/// words and paragraph breaks; it is not a renderer (the raw HTML stays in the stored message).
/// </summary>
internal static partial class HtmlText
{
    public static string ToText(string html)
    {
        var text = Invisible().Replace(html, " ");
        text = LineBreak().Replace(text, "\n");
        text = BlockEnd().Replace(text, "\n\n");
        text = ListItem().Replace(text, "\n- ");
        text = Tag().Replace(text, "");
        text = WebUtility.HtmlDecode(text).Replace('\u00A0', ' ');
        text = HorizontalSpace().Replace(text, " ");
        var lines = text.Split('\n').Select(l => l.Trim());
        text = string.Join('\n', lines);
        text = ManyNewlines().Replace(text, "\n\n");
        return text.Trim();
    }

    [GeneratedRegex(@"<!--.*?-->|<(script|style|head|title)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"<br\s*/?>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 2000)]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"</?(p|div|h[1-6]|tr|table|blockquote|ul|ol|pre)\b[^>]*>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 2000)]
    private static partial Regex BlockEnd();

    [GeneratedRegex(@"<li\b[^>]*>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 2000)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.Singleline, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Tag();

    [GeneratedRegex(@"[ \t\r\f\v]+", RegexOptions.None, matchTimeoutMilliseconds: 2000)]
    private static partial Regex HorizontalSpace();

    [GeneratedRegex(@"\n{3,}", RegexOptions.None, matchTimeoutMilliseconds: 2000)]
    private static partial Regex ManyNewlines();
}
