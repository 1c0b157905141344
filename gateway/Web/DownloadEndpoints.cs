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
    private const string ConsultationsService = "consultations.v1.Consultations";

    // Shown inline only when a browser cannot be tricked into running them; everything else is
    // served as opaque bytes to save.
    private static readonly HashSet<string> InlineSafe = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/plain", "application/pdf", "image/png", "image/jpeg", "image/gif",
    };

    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/responses/{id}/attachments/{index:int}", async (string id, int index, HttpContext context, PublicServices services) =>
        {
            var attachment = await services.CallAsync(context, ConsultationsService, "GetAttachment",
                new GetAttachmentRequest { ResponseId = id, Index = index }, Attachment.Parser);
            var mediaType = InlineSafe.Contains(attachment.Info.MediaType) ? attachment.Info.MediaType : "application/octet-stream";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            return Results.File(attachment.Content.ToByteArray(), mediaType, SafeFileName(attachment.Info.FileName, $"attachment-{index}"));
        });

        app.MapGet("/consultations/{id}/responses.zip", async (string id, HttpContext context, PublicServices services) =>
        {
            // Every response, however many pages: the download is the complete published set.
            var responses = await services.ListAllAsync(context, ConsultationsService, "ListResponses",
                token => new ListResponsesRequest { ConsultationId = id, PageSize = 500, PageToken = token },
                ListResponsesResponse.Parser, r => (r.Responses, r.NextPageToken), maxPages: int.MaxValue);
            using var zipBytes = new MemoryStream();
            using (var zip = new ZipArchive(zipBytes, ZipArchiveMode.Create, leaveOpen: true))
            {
                var manifest = new StringBuilder("file,sha256,response_id,tracking_number,response_sha256\n");
                foreach (var response in responses.Where(r => r.Published))
                {
                    var folder = SafeFileName(response.TrackingNumber, response.Id);
                    // The response as received: the raw e-mail, or the submitted text for the web form.
                    var (name, raw) = response.RawMessage.IsEmpty
                        ? ($"{folder}/response.txt", Encoding.UTF8.GetBytes(response.Text))
                        : ($"{folder}/message.eml", response.RawMessage.ToByteArray());
                    Add(zip, manifest, name, raw, response);
                    foreach (var info in response.Attachments)
                    {
                        var attachment = await services.CallAsync(context, ConsultationsService, "GetAttachment",
                            new GetAttachmentRequest { ResponseId = response.Id, Index = info.Index }, Attachment.Parser);
                        Add(zip, manifest, $"{folder}/attachments/{info.Index}-{SafeFileName(info.FileName, "file")}", attachment.Content.ToByteArray(), response);
                    }
                }
                var entry = zip.CreateEntry("manifest.csv");
                using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
                writer.Write(manifest.ToString());
            }
            return Results.File(zipBytes.ToArray(), "application/zip", $"consultation-{SafeFileName(id, "responses")}-responses.zip");
        });

        app.MapGet("/reports/{id}/content", async (string id, HttpContext context, PublicServices services) =>
        {
            var rendered = await services.CallAsync(context, "reporting.v1.Reports", "GetReport",
                new GetReportRequest { Id = id, Format = ReportFormat.Html }, RenderedReport.Parser);
            // The report's own HTML (charts as inline SVG) runs no script and loads nothing.
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Content(rendered.Content, "text/html; charset=utf-8");
        });
        return app;
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
