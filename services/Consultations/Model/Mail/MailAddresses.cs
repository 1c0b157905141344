using MimeKit;

namespace Wsis.Consultations.Model.Mail;

/// <summary>A mailbox from an address header: the display name (decoded) and the address.</summary>
public sealed record MailboxAddress(string? DisplayName, string Address)
{
    public override string ToString() => DisplayName is null ? Address : $"{DisplayName} <{Address}>";
}

/// <summary>
/// Address lists of RFC 5322 §3.4, read by MimeKit's lenient parser (<c>Name &lt;a@b&gt;</c>,
/// <c>"Last, First" &lt;a@b&gt;</c>, <c>a@b (Name)</c>, groups, encoded words in display names).
/// A mailbox without a domain is no address a response can be traced to, so it counts as unreadable.
/// </summary>
internal static class MailAddresses
{
    private static readonly ParserOptions Options = new() { CharsetEncoding = MailCharsets.Windows1252 };

    public static List<MailboxAddress> ParseList(string? value, MailProblems? problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        if (problems is not null)
        {
            EncodedWords.Decode(value, problems); // MimeKit decodes display names without a word about broken ones
        }

        // MimeKit refuses a whole list for one broken address; the others still count (To and Cc route the message).
        var mailboxes = InternetAddressList.TryParse(Options, value, out var list)
            ? list.Mailboxes
            : value.Split(',').SelectMany(item => InternetAddressList.TryParse(Options, item, out var one) ? one.Mailboxes : []);
        var result = new List<MailboxAddress>();
        foreach (var mailbox in mailboxes)
        {
            var at = mailbox.Address.LastIndexOf('@');
            if (at <= 0 || at == mailbox.Address.Length - 1)
            {
                continue;
            }

            var name = MailCharsets.RepairWindows1252(mailbox.Name ?? "").Trim();
            result.Add(new MailboxAddress(name.Length == 0 ? null : name, mailbox.Address));
        }

        if (list is null || result.Count < list.Mailboxes.Count())
        {
            problems?.Add(MailProblemKind.MalformedAddress, "an address could not be read");
        }

        return result;
    }
}
