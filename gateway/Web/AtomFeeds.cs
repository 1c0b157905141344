using System.Globalization;
using System.Text;
using System.Xml;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Localization;
using Wsis.Consultations.V1;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Web;

/// <summary>
/// Atom feeds (RFC 4287) of what the public follows: consultations as they open and close, the
/// responses of a consultation, submitted reports. Each entry's id is the absolute address of its
/// page (stable, and a link at once); the pages name their feed with
/// <c>&lt;link rel="alternate" type="application/atom+xml"&gt;</c>. Text is the content as written,
/// escaped by the XML writer, never markup. Every feed lists its entries newest first. A consultation's
/// responses come a page at a time, newest first, with RFC 5005 <c>next</c> links to older ones, so the
/// feed never loads a whole consultation and a reader polling the first document sees what is new.
/// </summary>
public static class AtomFeeds
{
    public const string MediaType = "application/atom+xml";
    private const string Atom = "http://www.w3.org/2005/Atom";
    private const int PageSize = 50;

    public static IEndpointRouteBuilder MapAtomFeeds(this IEndpointRouteBuilder app)
    {
        app.MapGet("/consultations.atom", ConsultationsAsync);
        app.MapGet("/consultations/{id}/responses.atom", ResponsesAsync);
        app.MapGet("/reports.atom", ReportsAsync);
        return app;
    }

    private static async Task<IResult> ConsultationsAsync(HttpContext context, Wsis.Consultations.V1.Consultations.ConsultationsClient consultations, IStringLocalizer<SharedResource> t)
    {
        // The service lists consultations by closing date, not by news: all of them are read (a handful a
        // year; at most 20 pages) and the newest PageSize kept.
        var all = await Paging.AllAsync(
            token => consultations.ListConsultationsAsync(new ListConsultationsRequest { PageSize = PageSize, PageToken = token }, cancellationToken: context.RequestAborted).ResponseAsync,
            r => (r.Consultations, r.NextPageToken), maxPages: 20);
        // Opening and closing are the news: the entry is updated when the consultation closes. Newest first.
        var items = all
            .Select(c => (Consultation: c, Updated: c.ClosedAt ?? c.OpenedAt))
            .OrderByDescending(x => x.Updated?.ToDateTimeOffset() ?? DateTimeOffset.MinValue)
            .Take(PageSize)
            .ToList();
        return Feed(context, t["Consultations of CWG-Internet"].Value, "/consultations", items.Select(x => x.Updated).FirstOrDefault(), null, writer =>
        {
            foreach (var (c, updated) in items)
            {
                var state = t[PageFormat.EnumLabel(c.State)].Value;
                var summary = c.State == ConsultationState.Open
                    ? $"{state} — {t["Responses accepted"].Value}: {PageFormat.Deadline(t, c.Deadline?.GenevaTime ?? "")}\n\n{c.IssueText}"
                    : $"{state} — {string.Format(CultureInfo.CurrentCulture, t["{0} published responses"].Value, c.PublishedResponseCount)}\n\n{c.IssueText}";
                Entry(writer, context, $"/consultations/{Uri.EscapeDataString(c.Id)}", $"{c.Title} ({state})", updated, c.OpenedAt, summary);
            }
        });
    }

    private static async Task<IResult> ResponsesAsync(string id, string? from, HttpContext context, Wsis.Consultations.V1.Consultations.ConsultationsClient consultations, IStringLocalizer<SharedResource> t)
    {
        var consultation = await consultations.GetConsultationAsync(new GetConsultationRequest { Id = id }, cancellationToken: context.RequestAborted);
        // Newest first: the feed's first document carries the latest responses, `next` goes back in time.
        var page = await consultations.ListResponsesAsync(new ListResponsesRequest { ConsultationId = id, PageSize = PageSize, PageToken = from ?? "", NewestFirst = true },
            cancellationToken: context.RequestAborted);
        var responses = page.Responses.Where(r => r.Published).ToList();
        var next = string.IsNullOrEmpty(page.NextPageToken) ? null : $"/consultations/{Uri.EscapeDataString(id)}/responses.atom?from={Uri.EscapeDataString(page.NextPageToken)}";
        var updated = responses.Select(r => r.ReceivedAt).MaxBy(r => r?.ToDateTimeOffset()) ?? consultation.OpenedAt;
        return Feed(context, string.Format(CultureInfo.CurrentCulture, t["Responses to {0}"].Value, consultation.Title),
            $"/consultations/{Uri.EscapeDataString(id)}", updated, next, writer =>
            {
                foreach (var r in responses)
                {
                    var who = r.Respondent?.Name + (string.IsNullOrEmpty(r.Respondent?.Organisation) ? "" : ", " + r.Respondent.Organisation);
                    Entry(writer, context, $"/responses/{Uri.EscapeDataString(r.Id)}", $"{r.TrackingNumber} — {who}", r.ReceivedAt, r.ReceivedAt, r.Text, author: who);
                }
            });
    }

    private static async Task<IResult> ReportsAsync(HttpContext context, Wsis.Reporting.V1.Reports.ReportsClient reports, IStringLocalizer<SharedResource> t)
    {
        var page = await reports.ListReportsAsync(new ListReportsRequest { PageSize = PageSize }, cancellationToken: context.RequestAborted);
        // Public once submitted: drafts never appear.
        var submitted = page.Reports.Where(r => r.State is ReportState.Submitted or ReportState.Transmitted)
            .OrderByDescending(r => (r.TransmittedAt ?? r.SubmittedAt)?.ToDateTimeOffset()).ToList();
        return Feed(context, t["Reports submitted to the UN Secretary-General"].Value, "/reports",
            submitted.Select(r => r.TransmittedAt ?? r.SubmittedAt).FirstOrDefault(), null, writer =>
            {
                foreach (var r in submitted)
                {
                    var title = string.IsNullOrEmpty(r.Title) ? $"{r.PeriodStart} – {r.PeriodEnd}" : r.Title;
                    var summary = $"{t[PageFormat.EnumLabel(r.State)].Value} — {t["Period"].Value}: {PageFormat.Day(r.PeriodStart)} – {PageFormat.Day(r.PeriodEnd)}"
                        + (string.IsNullOrEmpty(r.GeneralAssemblyReference) ? "" : $"\n{t["General Assembly"].Value}: {r.GeneralAssemblyReference}");
                    Entry(writer, context, $"/reports/{Uri.EscapeDataString(r.Id)}", title, r.TransmittedAt ?? r.SubmittedAt, r.SubmittedAt, summary);
                }
            });
    }

    private static IResult Feed(HttpContext context, string title, string pagePath, Timestamp? updated, string? next, Action<XmlWriter> entries)
    {
        var self = context.Request.Path + context.Request.QueryString;
        var output = new StringBuilder();
        using (var writer = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8, OmitXmlDeclaration = true }))
        {
            writer.WriteStartElement("feed", Atom);
            writer.WriteAttributeString("xml", "lang", null, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);
            writer.WriteElementString("id", Atom, Absolute(context, context.Request.Path));
            writer.WriteElementString("title", Atom, title);
            writer.WriteElementString("updated", Atom, Rfc3339(updated));
            writer.WriteStartElement("author", Atom);
            writer.WriteElementString("name", Atom, "WSIS");
            writer.WriteEndElement();
            Link(writer, "self", Absolute(context, self), MediaType);
            Link(writer, "alternate", Absolute(context, pagePath), "text/html");
            if (next is not null)
            {
                Link(writer, "next", Absolute(context, next), MediaType);
            }
            entries(writer);
            writer.WriteEndElement();
        }

        return Results.Text("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + output, MediaType + "; charset=utf-8", Encoding.UTF8);
    }

    private static void Entry(XmlWriter writer, HttpContext context, string path, string title, Timestamp? updated, Timestamp? published, string text, string? author = null)
    {
        var href = Absolute(context, path);
        writer.WriteStartElement("entry", Atom);
        writer.WriteElementString("id", Atom, href);
        writer.WriteElementString("title", Atom, title);
        writer.WriteElementString("updated", Atom, Rfc3339(updated ?? published));
        if (published is not null)
        {
            writer.WriteElementString("published", Atom, Rfc3339(published));
        }
        if (!string.IsNullOrEmpty(author))
        {
            writer.WriteStartElement("author", Atom);
            writer.WriteElementString("name", Atom, author);
            writer.WriteEndElement();
        }
        Link(writer, "alternate", href, "text/html");
        writer.WriteStartElement("content", Atom);
        writer.WriteAttributeString("type", "text");
        writer.WriteString(XmlSafe(text));
        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    private static void Link(XmlWriter writer, string rel, string href, string type)
    {
        writer.WriteStartElement("link", Atom);
        writer.WriteAttributeString("rel", rel);
        writer.WriteAttributeString("type", type);
        writer.WriteAttributeString("href", href);
        writer.WriteEndElement();
    }

    private static string Absolute(HttpContext context, string pathAndQuery) =>
        $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{pathAndQuery}";

    /// <summary>RFC 3339 in UTC; the epoch when nothing has happened yet (Atom requires <c>updated</c>).</summary>
    private static string Rfc3339(Timestamp? t) =>
        (t?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A response is published as received, but XML 1.0 cannot carry some control characters:
    /// those are shown as U+FFFD in the feed (the response's page and download keep every byte).</summary>
    private static string XmlSafe(string text) =>
        text.Any(c => !XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c))
            ? new string(text.Select(c => XmlConvert.IsXmlChar(c) || char.IsSurrogate(c) ? c : '\uFFFD').ToArray())
            : text;
}
