using System.Text;

namespace Wsis.Consultations.Model.Mail;

/// <summary>A mailbox from an address header: the display name (decoded) and the address.</summary>
public sealed record MailboxAddress(string? DisplayName, string Address)
{
    public override string ToString() => DisplayName is null ? Address : $"{DisplayName} <{Address}>";
}

/// <summary>
/// Address lists of RFC 5322 §3.4, read leniently: <c>Name &lt;a@b&gt;</c>, <c>"Last, First" &lt;a@b&gt;</c>,
/// <c>a@b (Name)</c>, bare <c>a@b</c>, groups (<c>undisclosed-recipients:;</c>) and encoded words
/// in display names (also inside quotes, which RFC 2047 forbids and every mailer reads).
/// </summary>
internal static class MailAddresses
{
    public static List<MailboxAddress> ParseList(string? value, MailProblems? problems)
    {
        var result = new List<MailboxAddress>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return result;
        }

        foreach (var item in SplitTopLevel(value))
        {
            var mailbox = ParseMailbox(item);
            if (mailbox is not null)
            {
                result.Add(mailbox with { DisplayName = mailbox.DisplayName is null ? null : EncodedWords.Decode(mailbox.DisplayName, problems) });
            }
            else if (!string.IsNullOrWhiteSpace(item) && !item.TrimEnd().EndsWith(':'))
            {
                problems?.Add(MailProblemKind.MalformedAddress, "an address could not be read");
            }
        }

        return result;
    }

    private static MailboxAddress? ParseMailbox(string item)
    {
        var text = item.Trim();
        // Group syntax "name: a@b, c@d;" – the split put the group name in front of the first member.
        var colon = IndexOutsideQuotes(text, ':');
        var lt = IndexOutsideQuotes(text, '<');
        if (colon >= 0 && (lt < 0 || colon < lt))
        {
            text = text[(colon + 1)..].Trim();
        }

        text = text.TrimEnd(';').Trim();
        if (text.Length == 0)
        {
            return null;
        }

        lt = IndexOutsideQuotes(text, '<');
        if (lt >= 0)
        {
            var gt = text.IndexOf('>', lt);
            var address = (gt > lt ? text[(lt + 1)..gt] : text[(lt + 1)..]).Trim();
            var name = Unquote(RemoveComments(text[..lt], out _)).Trim();
            return IsAddress(address) ? new MailboxAddress(name.Length == 0 ? null : name, address) : null;
        }

        var bare = RemoveComments(text, out var comment).Trim();
        return IsAddress(bare) ? new MailboxAddress(string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), bare) : null;
    }

    private static bool IsAddress(string s)
    {
        var at = s.LastIndexOf('@');
        return at > 0 && at < s.Length - 1 && s.AsSpan().IndexOfAny(" \t\r\n<>,") < 0;
    }

    private static List<string> SplitTopLevel(string value)
    {
        var items = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var inAngle = false;
        var comment = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuotes)
            {
                if (c == '\\' && i + 1 < value.Length)
                {
                    current.Append(c).Append(value[++i]);
                    continue;
                }

                inQuotes = c != '"';
            }
            else if (comment > 0)
            {
                comment += c == '(' ? 1 : c == ')' ? -1 : 0;
            }
            else
            {
                switch (c)
                {
                    case '"': inQuotes = true; break;
                    case '(': comment++; break;
                    case '<': inAngle = true; break;
                    case '>': inAngle = false; break;
                    case ',' or ';' when !inAngle:
                        items.Add(current.ToString());
                        current.Clear();
                        continue;
                }
            }

            current.Append(c);
        }

        items.Add(current.ToString());
        return items;
    }

    private static int IndexOutsideQuotes(string s, char target)
    {
        var inQuotes = false;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (s[i] == '\\' && inQuotes)
            {
                i++;
            }
            else if (!inQuotes && s[i] == target)
            {
                return i;
            }
        }

        return -1;
    }

    private static string RemoveComments(string s, out string comment)
    {
        var output = new StringBuilder();
        var commentText = new StringBuilder();
        var depth = 0;
        var inQuotes = false;
        foreach (var c in s)
        {
            if (depth == 0 && c == '"')
            {
                inQuotes = !inQuotes;
            }

            if (!inQuotes && c == '(')
            {
                if (depth++ == 0)
                {
                    continue;
                }
            }
            else if (!inQuotes && c == ')' && depth > 0)
            {
                if (--depth == 0)
                {
                    continue;
                }
            }

            (depth > 0 ? commentText : output).Append(c);
        }

        comment = commentText.ToString();
        return output.ToString();
    }

    private static string Unquote(string s)
    {
        s = s.Trim();
        if (s.Length >= 2 && s[0] == '"' && s[^1] == '"')
        {
            var sb = new StringBuilder();
            for (var i = 1; i < s.Length - 1; i++)
            {
                if (s[i] == '\\' && i + 1 < s.Length - 1)
                {
                    i++;
                }

                sb.Append(s[i]);
            }

            return sb.ToString();
        }

        return s;
    }
}
