using System.Net;
using System.Text;
using AngleSharp;
using AngleSharp.Dom;
using Google.Protobuf;
using Wsis.Consultations.V1;
using Xunit.Abstractions;

namespace BadInput.Tests;

/// <summary>HTML and script in responses (web and e-mail) are stored as sent and shown inert on the
/// public pages: escaped text, no script or event handler from the input in the DOM, attachments
/// downloaded rather than rendered, a Content-Security-Policy on every page.</summary>
[Collection(BadInputCollection.Name)]
public sealed class ScriptInResponsesTests(BadInputCluster cluster, ITestOutputHelper output)
{
    private static readonly string[] Payloads =
    [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(2)>",
        "'><svg onload=alert(3)>",
        "<a href=\"javascript:alert(4)\">click</a>",
        "</textarea><iframe src=javascript:alert(5)>",
        "<style>@import 'http://evil.example/x.css'</style><body onpageshow=alert(6)>",
    ];

    [Fact]
    public async Task Hostile_markup_is_stored_verbatim_and_rendered_inert()
    {
        var client = cluster.ConsultationsClient(cluster.GatewayGrpc);
        var ids = new List<string>();
        foreach (var payload in Payloads)
        {
            var receipt = await client.SubmitResponseAsync(new SubmitResponseRequest
            {
                ConsultationId = cluster.ConsultationId,
                Respondent = new Respondent { Name = payload, Organisation = payload, Category = RespondentCategory.CivilSociety, CountryCode = "CH" },
                Text = "Before " + payload + " after",
                Attachments =
                {
                    new AttachmentUpload { FileName = "javascript:alert(7).txt", MediaType = "text/plain", Content = ByteString.CopyFromUtf8("<script>alert(8)</script>") },
                    new AttachmentUpload { FileName = "\"><img src=x onerror=alert(9)>.png", MediaType = "image/png", Content = ByteString.CopyFromUtf8("<html><script>alert(10)</script></html>") },
                },
            });
            ids.Add(receipt.ResponseId);
            var stored = await client.GetResponseAsync(new GetResponseRequest { Id = receipt.ResponseId });
            Assert.Equal("Before " + payload + " after", stored.Text);
            Assert.Equal(payload, stored.Respondent.Name);
        }

        // E-mail: an HTML body with script and an HTML attachment named like a link.
        var mail = $"From: \"<script>alert(11)</script>\" <x@example.org>\r\nTo: {cluster.ConsultationEmail}\r\nSubject: <img src=x onerror=alert(12)>\r\nMessage-ID: <html-{Guid.NewGuid():N}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n" +
            "--m\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body onload=alert(13)><p>Hi</p><script>alert(14)</script><a href=\"javascript:alert(15)\">x</a></body></html>\r\n" +
            "--m\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=\"javascript:alert(16).html\"\r\n\r\n<script>alert(17)</script>\r\n--m--\r\n";
        var ingested = await client.IngestEmailAsync(new IngestEmailRequest
        {
            RawMessage = ByteString.CopyFrom(Encoding.UTF8.GetBytes(mail)),
            Channel = Channel.Email,
            EnvelopeRecipient = cluster.ConsultationEmail,
        }, BadInputCluster.Bearer(cluster.Token("mail-gateway", "secretariat")));
        ids.Add(ingested.Receipt.ResponseId);
        output.WriteLine($"e-mail: {ingested.Outcome} {string.Join(" | ", ingested.Problems)}");

        var context = BrowsingContext.New(Configuration.Default);
        var pages = new List<string> { $"/consultations/{cluster.ConsultationId}" };
        pages.AddRange(ids.Select(id => $"/responses/{id}"));
        foreach (var path in pages)
        {
            using var response = await cluster.Web.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {Clean.Shorten(html)}");
            Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), $"{path}: no Content-Security-Policy");
            output.WriteLine($"{path}: CSP {string.Join(";", csp!)}");
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            var document = await context.OpenAsync(r => r.Content(html));
            AssertInert(document, path);
        }

        // A response's page shows its text as text: the payload is readable, not markup.
        using (var first = await cluster.Web.GetAsync($"/responses/{ids[0]}"))
        {
            var document = await context.OpenAsync(r => r.Content(first.Content.ReadAsStringAsync().Result));
            Assert.Contains("<script>alert(1)</script>", document.Body!.TextContent, StringComparison.Ordinal);
        }

        // Attachments: downloaded, never rendered by the browser.
        foreach (var id in ids)
        {
            for (var index = 0; index < 2; index++)
            {
                using var attachment = await cluster.Web.GetAsync($"/responses/{id}/attachments/{index}");
                if (attachment.StatusCode == HttpStatusCode.NotFound)
                {
                    continue;
                }

                Assert.Equal(HttpStatusCode.OK, attachment.StatusCode);
                var type = attachment.Content.Headers.ContentType?.MediaType ?? "";
                var disposition = attachment.Content.Headers.ContentDisposition;
                output.WriteLine($"{id}/{index}: {type}; {disposition}");
                Assert.Equal("attachment", disposition?.DispositionType);
                Assert.DoesNotContain("javascript:", disposition!.FileName ?? "", StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("<", (disposition.FileName ?? "") + (disposition.FileNameStar ?? ""), StringComparison.Ordinal);
                Assert.DoesNotContain("html", type, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("svg", type, StringComparison.OrdinalIgnoreCase);
                Assert.Equal("nosniff", attachment.Headers.GetValues("X-Content-Type-Options").Single());
            }
        }

        await cluster.AssertIntactAsync();
    }

    private static void AssertInert(IDocument document, string path)
    {
        foreach (var script in document.QuerySelectorAll("script"))
        {
            Assert.DoesNotContain("alert(", script.TextContent + script.GetAttribute("src"), StringComparison.Ordinal);
        }

        foreach (var element in document.All)
        {
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase),
                    $"{path}: <{element.LocalName} {attribute.Name}=\"{attribute.Value}\"> came through");
                if (attribute.Name is "href" or "src" or "action" or "formaction")
                {
                    Assert.False(attribute.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase),
                        $"{path}: <{element.LocalName} {attribute.Name}=\"{attribute.Value}\"> came through");
                }
            }
        }

        Assert.Empty(document.QuerySelectorAll("iframe, svg, style:not(head style)"));
        Assert.Empty(document.QuerySelectorAll("img[src='x']"));
    }
}
