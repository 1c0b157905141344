using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wsis.Reporting.Model;

public enum ReportFormat
{
    Html,
    Markdown,
    Json,
}

/// <summary>
/// The canonical form of a report: compact JSON with fixed property names and order, UTC times and
/// enum names. Its SHA-256 is the content hash kept at submission, and it is also what the JSON form
/// returns, so anyone can check a submitted report against its hash.
/// </summary>
public static class CanonicalReport
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
        Encoder = JavaScriptEncoder.Default,
        Converters = { new JsonStringEnumConverter(), new InstantAsDateTimeOffset() },
    };

    public static string Serialize(ReportDocument document) => JsonSerializer.Serialize(document, Options);

    public static ReportDocument Deserialize(string json) =>
        JsonSerializer.Deserialize<ReportDocument>(json, Options) ?? throw new InvalidDataException("The stored report is empty.");

    public static string Hash(string canonicalJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));
}

/// <summary>
/// Instants in the canonical JSON as System.Text.Json writes a UTC DateTimeOffset
/// ("2026-01-15T12:00:00+00:00"), the form reports were frozen in before the model used NodaTime: the
/// same document still serializes to the same bytes, and stored reports still read.
/// </summary>
internal sealed class InstantAsDateTimeOffset : JsonConverter<Instant>
{
    public override Instant Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Instant.FromDateTimeOffset(reader.GetDateTimeOffset());

    public override void Write(Utf8JsonWriter writer, Instant value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToDateTimeOffset());
}

public static class ReportRenderer
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(ReportDocument d, ReportFormat format, ReportSeal? seal = null) => format switch
    {
        ReportFormat.Html => Html(d, seal),
        ReportFormat.Markdown => Markdown(d, seal),
        ReportFormat.Json => CanonicalReport.Serialize(d),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static string MediaType(ReportFormat format) => format switch
    {
        ReportFormat.Html => "text/html; charset=utf-8",
        ReportFormat.Markdown => "text/markdown; charset=utf-8",
        _ => "application/json",
    };

    // ---------------------------------------------------------------- HTML

    public static string Html(ReportDocument d, ReportSeal? seal = null)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.Append(Inv, $"<title>{E(d.Title)}</title>\n");
        h.Append("""
            <style>
            body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
            h1{font-size:1.6em}h2{border-bottom:2px solid #1f6fb2;padding-bottom:.2em;margin-top:2em}
            table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
            td.n{text-align:right}figure{margin:1.5em 0;overflow-x:auto}figcaption{font-size:.9em;color:#555}
            .meta{color:#555}.seal{font-family:monospace;font-size:.9em;word-break:break-all}
            </style>

            """);
        h.Append("</head>\n<body>\n<header>\n");
        h.Append(Inv, $"<h1>{E(d.Title)}</h1>\n");
        h.Append(Inv, $"<p class=\"meta\">Period: {ReportPeriod.FirstDayOf(d.PeriodStart)} to {ReportPeriod.LastDayOf(d.PeriodEnd)}. Stocktaking years: {E(string.Join(", ", d.Years))}. Compiled {Time(d.CompiledAt)}.</p>\n");
        if (seal is not null) h.Append(Seal(seal));
        h.Append("</header>\n<nav><h2>Contents</h2><ol>");
        h.Append("<li><a href=\"#figures\">Figures</a></li>");
        foreach (var s in d.Sections) h.Append(Inv, $"<li><a href=\"#line-{E(s.Code)}\">{E(s.Code)} {E(s.Title)}</a></li>");
        h.Append("<li><a href=\"#national-reports\">National implementation reports</a></li>");
        h.Append("<li><a href=\"#consultations\">Open consultations held</a></li></ol></nav>\n<main>\n");

        h.Append("<section id=\"figures\">\n<h2>Figures</h2>\n");
        foreach (var f in d.Figures)
        {
            h.Append(Inv, $"<figure id=\"figure-{E(f.Id)}\">\n");
            h.Append(BarChart.Render(f)).Append('\n');
            h.Append(Inv, $"<figcaption>{E(f.Description)}</figcaption>\n");
            h.Append(Inv, $"<table class=\"figure-data\"><thead><tr><th scope=\"col\">{E(f.CategoryLabel)}</th><th scope=\"col\">{E(f.ValueLabel)}</th></tr></thead><tbody>");
            foreach (var b in f.Bars) h.Append(Inv, $"<tr><td>{E(b.Key)}</td><td class=\"n\">{b.Count}</td></tr>");
            h.Append("</tbody></table>\n</figure>\n");
        }
        h.Append("</section>\n");

        foreach (var s in d.Sections)
        {
            h.Append(Inv, $"<section class=\"action-line\" id=\"line-{E(s.Code)}\">\n<h2>{E(s.Code)} {E(s.Title)}</h2>\n");
            h.Append(Inv, $"<p>Coordinator: {(s.CoordinatorName is null ? "not designated" : E(s.CoordinatorName))}.</p>\n");
            if (s.Contributions.Count == 0)
            {
                h.Append("<p>No contribution from the team in this period.</p>\n");
            }
            else
            {
                h.Append("<h3>Contributions of the team</h3>\n<table><thead><tr><th scope=\"col\">Year</th><th scope=\"col\">Action line</th><th scope=\"col\">Submitted</th><th scope=\"col\">Entries</th></tr></thead><tbody>");
                foreach (var c in s.Contributions)
                    h.Append(Inv, $"<tr><td>{c.Year}</td><td>{E(c.ActionLineCode)}</td><td>{Time(c.SubmittedAt)}</td><td class=\"n\">{c.EntryCount}</td></tr>");
                h.Append("</tbody></table>\n");
            }
            h.Append(Inv, $"<h3>Inventory entries ({s.InventoryEntries.Count})</h3>\n");
            if (s.InventoryEntries.Count > 0)
            {
                h.Append("<table class=\"inventory\"><thead><tr><th scope=\"col\">Year</th><th scope=\"col\">Activity</th><th scope=\"col\">Action lines</th><th scope=\"col\">Countries</th><th scope=\"col\">Stakeholder</th><th scope=\"col\">Status</th></tr></thead><tbody>");
                foreach (var e in s.InventoryEntries)
                {
                    var title = e.Url is null ? E(e.Title) : $"<a href=\"{E(e.Url)}\">{E(e.Title)}</a>";
                    var description = e.Description.Length == 0 ? "" : $"<br>{E(e.Description)}";
                    var stakeholder = e.StakeholderName is null ? "" : $"{E(e.StakeholderName)} ({E(e.StakeholderCategory)})";
                    h.Append(Inv, $"<tr><td>{e.Year}</td><td>{title}{description}</td><td>{E(string.Join(", ", e.ActionLineCodes))}</td><td>{E(string.Join(", ", e.CountryCodes))}</td><td>{stakeholder}</td><td>{E(e.Status)}</td></tr>");
                }
                h.Append("</tbody></table>\n");
            }
            h.Append("</section>\n");
        }

        h.Append("<section id=\"national-reports\">\n<h2>National implementation reports</h2>\n");
        if (d.NationalReports.Count == 0) h.Append("<p>No national report in this period.</p>\n");
        foreach (var r in d.NationalReports)
        {
            h.Append(Inv, $"<article class=\"national-report\"><h3>{E(r.CountryCode)}, {r.Year}</h3>\n{Paragraphs(r.Text)}");
            if (r.Activities.Count > 0)
            {
                h.Append("<ul>");
                foreach (var a in r.Activities)
                    h.Append(Inv, $"<li><strong>{E(a.Title)}</strong>{(a.ActionLineCodes.Count > 0 ? " [" + E(string.Join(", ", a.ActionLineCodes)) + "]" : "")}{(a.Description.Length > 0 ? ": " + E(a.Description) : "")}</li>");
                h.Append("</ul>");
            }
            h.Append("</article>\n");
        }
        h.Append("</section>\n");

        h.Append("<section id=\"consultations\">\n<h2>Open consultations held</h2>\n");
        if (d.Consultations.Count == 0) h.Append("<p>No open consultation in this period.</p>\n");
        foreach (var c in d.Consultations)
        {
            h.Append(Inv, $"<article class=\"consultation\"><h3>{E(c.Title)}</h3>\n");
            h.Append(Inv, $"<p>Opened {Date(c.OpenedAt)}{(c.ResponseDeadline is { } dl ? ", responses until " + Time(dl) : "")}. Responses published: {c.ResponseCount}.</p>\n");
            h.Append(CountTable("Participation by stakeholder category", "Stakeholder category", c.ByCategory));
            h.Append(CountTable("Responses by channel", "Channel", c.ByChannel));
            h.Append(CountTable("Responses by country", "Country", c.ByCountry));
            if (!string.IsNullOrWhiteSpace(c.ResultsSummary)) h.Append("<h4>Results</h4>\n").Append(Paragraphs(c.ResultsSummary));
            h.Append("</article>\n");
        }
        h.Append("</section>\n</main>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static string Seal(ReportSeal seal) =>
        string.Create(Inv, $"<p class=\"seal\">Submitted to the UN Secretary-General {Time(seal.SubmittedAt)}. SHA-256 of the canonical JSON: {E(seal.ContentHash)}.{(seal.TransmissionReference is null ? "" : " Transmitted to the General Assembly: " + E(seal.TransmissionReference) + ".")}</p>\n");

    private static string CountTable(string caption, string header, IReadOnlyList<CountBy> rows)
    {
        if (rows.Count == 0) return "";
        var t = new StringBuilder();
        t.Append(Inv, $"<table><caption>{E(caption)}</caption><thead><tr><th scope=\"col\">{E(header)}</th><th scope=\"col\">Responses</th></tr></thead><tbody>");
        foreach (var r in rows) t.Append(Inv, $"<tr><td>{E(r.Key)}</td><td class=\"n\">{r.Count}</td></tr>");
        return t.Append("</tbody></table>\n").ToString();
    }

    private static string Paragraphs(string text) =>
        string.Concat(text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => $"<p>{E(p)}</p>\n"));

    // ---------------------------------------------------------------- Markdown

    public static string Markdown(ReportDocument d, ReportSeal? seal = null)
    {
        var m = new StringBuilder();
        m.Append(Inv, $"# {Md(d.Title)}\n\n");
        m.Append(Inv, $"Period: {ReportPeriod.FirstDayOf(d.PeriodStart)} to {ReportPeriod.LastDayOf(d.PeriodEnd)}. Stocktaking years: {string.Join(", ", d.Years)}. Compiled {Time(d.CompiledAt)}.\n\n");
        if (seal is not null)
            m.Append(Inv, $"Submitted to the UN Secretary-General {Time(seal.SubmittedAt)}. SHA-256 of the canonical JSON: `{seal.ContentHash}`.{(seal.TransmissionReference is null ? "" : " Transmitted to the General Assembly: " + Md(seal.TransmissionReference) + ".")}\n\n");

        m.Append("## Figures\n\n");
        foreach (var f in d.Figures)
        {
            m.Append(Inv, $"### {Md(f.Title)}\n\n{Md(f.Description)}\n\n");
            m.Append(Inv, $"| {Cell(f.CategoryLabel)} | {Cell(f.ValueLabel)} |\n| --- | ---: |\n");
            foreach (var b in f.Bars) m.Append(Inv, $"| {Cell(b.Key)} | {b.Count} |\n");
            m.Append('\n');
        }

        foreach (var s in d.Sections)
        {
            m.Append(Inv, $"## {Md(s.Code)} {Md(s.Title)}\n\n");
            m.Append(Inv, $"Coordinator: {(s.CoordinatorName is null ? "not designated" : Md(s.CoordinatorName))}.\n\n");
            if (s.Contributions.Count == 0)
            {
                m.Append("No contribution from the team in this period.\n\n");
            }
            else
            {
                m.Append("### Contributions of the team\n\n| Year | Action line | Submitted | Entries |\n| --- | --- | --- | ---: |\n");
                foreach (var c in s.Contributions) m.Append(Inv, $"| {c.Year} | {Cell(c.ActionLineCode)} | {Time(c.SubmittedAt)} | {c.EntryCount} |\n");
                m.Append('\n');
            }
            m.Append(Inv, $"### Inventory entries ({s.InventoryEntries.Count})\n\n");
            if (s.InventoryEntries.Count > 0)
            {
                m.Append("| Year | Activity | Action lines | Countries | Stakeholder | Status |\n| --- | --- | --- | --- | --- | --- |\n");
                foreach (var e in s.InventoryEntries)
                {
                    var title = e.Url is null ? Cell(e.Title) : $"[{Cell(e.Title)}](<{e.Url.Replace(">", "%3E")}>)";
                    var stakeholder = e.StakeholderName is null ? "" : $"{Cell(e.StakeholderName)} ({Cell(e.StakeholderCategory)})";
                    m.Append(Inv, $"| {e.Year} | {title} | {Cell(string.Join(", ", e.ActionLineCodes))} | {Cell(string.Join(", ", e.CountryCodes))} | {stakeholder} | {Cell(e.Status)} |\n");
                }
                m.Append('\n');
            }
        }

        m.Append("## National implementation reports\n\n");
        if (d.NationalReports.Count == 0) m.Append("No national report in this period.\n\n");
        foreach (var r in d.NationalReports)
        {
            m.Append(Inv, $"### {Md(r.CountryCode)}, {r.Year}\n\n{Md(r.Text)}\n\n");
            foreach (var a in r.Activities)
                m.Append(Inv, $"- **{Md(a.Title)}**{(a.ActionLineCodes.Count > 0 ? " [" + Md(string.Join(", ", a.ActionLineCodes)) + "]" : "")}{(a.Description.Length > 0 ? ": " + Md(a.Description) : "")}\n");
            if (r.Activities.Count > 0) m.Append('\n');
        }

        m.Append("## Open consultations held\n\n");
        if (d.Consultations.Count == 0) m.Append("No open consultation in this period.\n\n");
        foreach (var c in d.Consultations)
        {
            m.Append(Inv, $"### {Md(c.Title)}\n\nOpened {Date(c.OpenedAt)}{(c.ResponseDeadline is { } dl ? ", responses until " + Time(dl) : "")}. Responses published: {c.ResponseCount}.\n\n");
            if (c.ByCategory.Count > 0)
            {
                m.Append("| Stakeholder category | Responses |\n| --- | ---: |\n");
                foreach (var r in c.ByCategory) m.Append(Inv, $"| {Cell(r.Key)} | {r.Count} |\n");
                m.Append('\n');
            }
            if (!string.IsNullOrWhiteSpace(c.ResultsSummary)) m.Append(Inv, $"Results: {Md(c.ResultsSummary)}\n\n");
        }
        return m.ToString();
    }

    // ---------------------------------------------------------------- text helpers

    private static string E(string text) => Markup.Escape(text);

    private static string Date(Instant t) => Times.Date(t);

    private static string Time(Instant t) => Times.ReportTime(t);

    /// <summary>Markdown text: characters that would start markup are backslash-escaped, raw HTML cannot get through.</summary>
    public static string Md(string text)
    {
        var b = new StringBuilder(text.Length + 8);
        foreach (var ch in text.Replace("\r\n", "\n"))
        {
            if (ch is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '#' or '|' or '!' or '~') b.Append('\\');
            b.Append(ch);
        }
        return b.ToString();
    }

    /// <summary>A table cell: Markdown-escaped, on one line.</summary>
    public static string Cell(string text) => Md(text).Replace('\n', ' ').Replace('\r', ' ');
}

/// <summary>What submission adds to a report: when, its content hash, and the later transmission.</summary>
public sealed record ReportSeal(Instant SubmittedAt, string ContentHash, string? TransmissionReference);
