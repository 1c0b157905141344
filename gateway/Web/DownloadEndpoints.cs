using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Wsis.Consultations.V1;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Web;

/// <summary>Files the public pages link to: attachments exactly as received, a consultation's
/// responses in bulk, and a report's rendered HTML.</summary>
public static class DownloadEndpoints
{
    // Shown inline only when a browser cannot be tricked into running them; everything else is
    // served as opaque bytes to save.
    private static readonly HashSet<string> InlineSafe = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/plain", "application/pdf", "image/png", "image/jpeg", "image/gif",
    };

    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/responses/{id}/attachments/{index:int}", async (string id, int index, HttpContext context, Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) =>
        {
            var attachment = await consultations.GetAttachmentAsync(new GetAttachmentRequest { ResponseId = id, Index = index },
                cancellationToken: context.RequestAborted);
            var mediaType = InlineSafe.Contains(attachment.Info.MediaType) ? attachment.Info.MediaType : "application/octet-stream";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            return Results.File(attachment.Content.ToByteArray(), mediaType, SafeFileName(attachment.Info.FileName, $"attachment-{index}"));
        });

        // The response's published record, the exact bytes its published hash (and its leaf in the
        // consultation's log) is computed over: what the response page verifies in the browser.
        app.MapGet("/responses/{id}/record.json", async (string id, HttpContext context, Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) =>
        {
            var record = await consultations.GetPublishedRecordAsync(new GetPublishedRecordRequest { ResponseId = id },
                cancellationToken: context.RequestAborted);
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            return Results.File(record.Content.ToByteArray(), "application/json", $"published-record-{SafeFileName(id, "response")}.json");
        });

        app.MapGet("/consultations/{id}/responses.zip", (string id, HttpContext context, Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) =>
            WriteResponsesZipAsync(id, context, consultations));

        app.MapGet("/reports/{id}/content", async (string id, HttpContext context, Reports.ReportsClient reports) =>
        {
            var rendered = await reports.GetReportAsync(new GetReportRequest { Id = id, Format = ReportFormat.Html }, cancellationToken: context.RequestAborted);
            // The report's own HTML (charts as inline SVG) runs no script and loads nothing.
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Content(rendered.Content, "text/html; charset=utf-8");
        });
        // The report as Markdown and as JSON, to download (the service renders both; the gateway passes them on).
        app.MapGet("/reports/{id}/report.md", (string id, HttpContext context, Reports.ReportsClient reports) =>
            ReportDownloadAsync(id, ReportFormat.Markdown, "text/markdown; charset=utf-8", "md", context, reports));
        app.MapGet("/reports/{id}/report.json", (string id, HttpContext context, Reports.ReportsClient reports) =>
            ReportDownloadAsync(id, ReportFormat.Json, "application/json; charset=utf-8", "json", context, reports));
        return app;
    }

    private static async Task<IResult> ReportDownloadAsync(string id, ReportFormat format, string mediaType, string extension, HttpContext context, Reports.ReportsClient reports)
    {
        var rendered = await reports.GetReportAsync(new GetReportRequest { Id = id, Format = format }, cancellationToken: context.RequestAborted);
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var name = $"wsis-report-{SafeFileName(rendered.Report.PeriodStart, "start")}-{SafeFileName(rendered.Report.PeriodEnd, "end")}.{extension}";
        return Results.File(Encoding.UTF8.GetBytes(rendered.Content), mediaType, name);
    }

    /// <summary>
    /// Every published response of a consultation, however many pages: the complete published set,
    /// streamed. Each page from the service is added to the archive and sent on before the next is
    /// asked for, so the gateway holds one page and the manifest, not the whole consultation (it
    /// held every response, then the archive, then a copy of it: a gigabyte for two readers of a
    /// consultation with 150,000 responses). The first page is read before anything is sent, so an
    /// unknown consultation is still a 404; a service failing later aborts the download (a client
    /// sees a broken transfer, never a short archive that looks complete).
    /// </summary>
    private static async Task WriteResponsesZipAsync(string id, HttpContext context, Wsis.Consultations.V1.Consultations.ConsultationsClient consultations)
    {
        Task<ListResponsesResponse> PageAsync(string token) => consultations.ListResponsesAsync(
            new ListResponsesRequest { ConsultationId = id, PageSize = 500, PageToken = token }, cancellationToken: context.RequestAborted).ResponseAsync;

        var page = await PageAsync("");
        var response = context.Response;
        response.ContentType = "application/zip";
        var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName($"consultation-{SafeFileName(id, "responses")}-responses.zip");
        response.Headers.ContentDisposition = disposition.ToString();
        var body = response.Body;
        var aborted = context.RequestAborted;
        using var buffer = new ZipOutputBuffer();
        try
        {
            using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            {
                var manifest = new StringBuilder("file,sha256,response_id,tracking_number,response_sha256\n");
                while (true)
                {
                    foreach (var r in page.Responses.Where(r => r.Published))
                    {
                        var folder = SafeFileName(r.TrackingNumber, r.Id);
                        // The response as received: the raw e-mail, or the submitted text for the web form.
                        var (name, raw) = r.RawMessage.IsEmpty
                            ? ($"{folder}/response.txt", Encoding.UTF8.GetBytes(r.Text))
                            : ($"{folder}/message.eml", r.RawMessage.ToByteArray());
                        Add(zip, manifest, name, raw, r);
                        foreach (var info in r.Attachments)
                        {
                            var attachment = await consultations.GetAttachmentAsync(
                                new GetAttachmentRequest { ResponseId = r.Id, Index = info.Index }, cancellationToken: aborted);
                            Add(zip, manifest, $"{folder}/attachments/{info.Index}-{SafeFileName(info.FileName, "file")}", attachment.Content.ToByteArray(), r);
                            await buffer.SendAsync(body, aborted);
                        }
                    }
                    await buffer.SendAsync(body, aborted);
                    if (string.IsNullOrEmpty(page.NextPageToken))
                    {
                        break;
                    }
                    page = await PageAsync(page.NextPageToken);
                }
                var entry = zip.CreateEntry("manifest.csv");
                using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
                writer.Write(manifest.ToString());
            }
            await buffer.SendAsync(body, aborted);
        }
        catch (Grpc.Core.RpcException) when (response.HasStarted)
        {
            // Part of the archive is on its way: end the transfer as failed.
            context.Abort();
        }
    }

    private static void Add(ZipArchive zip, StringBuilder manifest, string name, byte[] content, Response response)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using (var stream = entry.Open())
        {
            stream.Write(content);
        }
        manifest.Append(CultureInfo.InvariantCulture,
            $"{Csv(name)},{Convert.ToHexStringLower(SHA256.HashData(content))},{Csv(response.Id)},{Csv(response.TrackingNumber)},{Csv(response.Sha256)}\n");
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    /// <summary>A file name with no path, control or quoting characters.</summary>
    public static string SafeFileName(string name, string fallback)
    {
        var cleaned = new string(Path.GetFileName(name ?? "").Select(c => char.IsControl(c) || "\\/:*?\"<>|".Contains(c) ? '_' : c).ToArray()).Trim('.', ' ');
        return cleaned.Length == 0 ? fallback : cleaned;
    }
}

/// <summary>Where <see cref="ZipArchive"/> writes (synchronously, as it does): a buffer the endpoint
/// sends on asynchronously between entries. Not seekable, so the archive writes each entry's sizes
/// after its data, as a streamed ZIP does.</summary>
internal sealed class ZipOutputBuffer : Stream
{
    private readonly MemoryStream _pending = new();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override void Flush()
    {
    }

    /// <summary>Sends what was written since the last call, and forgets it.</summary>
    public async Task SendAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (_pending.Length == 0)
        {
            return;
        }
        await destination.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
        _pending.SetLength(0);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }
        base.Dispose(disposing);
    }
}
