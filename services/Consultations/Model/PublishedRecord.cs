using System.Globalization;
using System.Text;
using NodaTime;

namespace Wsis.Consultations.Model;

/// <summary>
/// The published record of a response: the exact bytes the public downloads
/// (<c>GetPublishedRecord</c>) and whose SHA-256, the <em>published hash</em>, enters the
/// consultation's log. It holds what is public of the response and nothing personal (no e-mail
/// address, no raw message). Written once, when the response gets its tracking number, and stored
/// beside it, so a later change of this code never changes a record already published.
/// </summary>
/// <remarks>
/// The form (<c>wsis-published-response/1</c>) is canonical JSON as RFC 8785 (JCS) writes it, so
/// any JCS implementation reproduces the bytes from the parsed object: UTF-8, no whitespace
/// between tokens, object members sorted by name, strings escaped only where JSON requires
/// (<c>\"</c>, <c>\\</c>, <c>\b \f \n \r \t</c>, other controls as <c>\u00xx</c>), integers in
/// plain decimal. Members: <c>attachments</c> (each <c>file_name</c>, <c>index</c>,
/// <c>media_type</c>, <c>sha256</c>, <c>size</c>), <c>channel</c> (proto name),
/// <c>consultation_id</c>, <c>dkim</c> (e-mail channels only: <c>domain</c>, <c>result</c> proto
/// name), <c>format</c>, <c>received_at</c> (RFC 3339 UTC with 7 decimals),
/// <c>respondent</c> (<c>category</c> proto name, <c>country_code</c>, <c>name</c>,
/// <c>organisation</c>), <c>response_id</c>, <c>subject</c> (e-mail channels only), <c>text</c>
/// (as received), <c>tracking_number</c>.
/// </remarks>
public static class PublishedRecord
{
    public const string Format = "wsis-published-response/1";

    /// <summary>The record's bytes for <paramref name="response"/>, which has its consultation and tracking number.</summary>
    public static byte[] Of(Response response)
    {
        if (response.ConsultationId is not { } consultationId || response.TrackingNumber.Length == 0)
        {
            throw new InvalidOperationException("a published record names its consultation and tracking number");
        }

        var json = new StringBuilder(256 + response.Text.Length);
        json.Append('{');
        Member(json, "attachments", first: true).Append('[');
        for (var i = 0; i < response.Attachments.Count; i++)
        {
            var a = response.Attachments[i];
            json.Append(i == 0 ? "{" : ",{");
            String(Member(json, "file_name", first: true), a.FileName);
            Member(json, "index").Append(a.Index.ToString(CultureInfo.InvariantCulture));
            String(Member(json, "media_type"), a.MediaType);
            String(Member(json, "sha256"), a.Sha256);
            Member(json, "size").Append(a.Size.ToString(CultureInfo.InvariantCulture));
            json.Append('}');
        }

        json.Append(']');
        String(Member(json, "channel"), response.Channel.Name());
        String(Member(json, "consultation_id"), consultationId.ToString());
        if (response.Channel != ResponseChannel.Web)
        {
            // Whether the sending domain vouched for the message (DKIM), as checked at receipt.
            Member(json, "dkim").Append('{');
            String(Member(json, "domain", first: true), response.DkimDomain);
            String(Member(json, "result"), response.DkimResult.Name());
            json.Append('}');
        }

        String(Member(json, "format"), Format);
        String(Member(json, "received_at"), ReceivedAt(response.ReceivedAt));
        Member(json, "respondent").Append('{');
        String(Member(json, "category", first: true), response.RespondentCategory.Name());
        String(Member(json, "country_code"), response.RespondentCountryCode);
        String(Member(json, "name"), response.RespondentName);
        String(Member(json, "organisation"), response.RespondentOrganisation);
        json.Append('}');
        String(Member(json, "response_id"), response.Id.ToString());
        if (response.Channel != ResponseChannel.Web)
        {
            String(Member(json, "subject"), response.Subject);
        }

        String(Member(json, "text"), response.Text);
        String(Member(json, "tracking_number"), response.TrackingNumber);
        json.Append('}');
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    /// <summary>The receipt time as the record writes it: RFC 3339, UTC, always 7 decimals (the stored precision).</summary>
    public static string ReceivedAt(Instant instant) =>
        instant.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static StringBuilder Member(StringBuilder json, string name, bool first = false)
    {
        if (!first)
        {
            json.Append(',');
        }

        return String(json, name).Append(':');
    }

    /// <summary>RFC 8785 §3.2.2.2: only the quote, the backslash and controls are escaped.</summary>
    private static StringBuilder String(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }

        return json.Append('"');
    }
}
