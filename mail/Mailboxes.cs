using Microsoft.Extensions.Options;
using Wsis.Consultations.V1;

namespace Wsis.Mail;

/// <summary>
/// Which recipients the door takes mail for: any address of the consultation template (the
/// service routes an unknown code to the secretariat's unassigned list, never drops it) and the
/// mailing list's archive address. Anything else is refused at RCPT, so the door is no relay.
/// </summary>
public sealed class Mailboxes(IOptions<MailDoorOptions> options)
{
    /// <summary>The channel mail to <paramref name="address"/> arrives by, or null when the door does not take mail for it.</summary>
    public Channel? ChannelFor(string address)
    {
        var settings = options.Value;
        if (settings.MailingListArchiveAddress.Length > 0 && string.Equals(address, settings.MailingListArchiveAddress, StringComparison.OrdinalIgnoreCase))
        {
            return Channel.MailingList;
        }

        var template = settings.ConsultationAddressTemplate;
        var at = template.IndexOf("{code}", StringComparison.Ordinal);
        if (at < 0)
        {
            return string.Equals(address, template, StringComparison.OrdinalIgnoreCase) ? Channel.Email : null;
        }

        var prefix = template[..at];
        var suffix = template[(at + "{code}".Length)..];
        return address.Length > prefix.Length + suffix.Length
            && address.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            && address.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
            && address[prefix.Length..^suffix.Length].All(char.IsAsciiLetterOrDigit)
                ? Channel.Email
                : null;
    }
}
