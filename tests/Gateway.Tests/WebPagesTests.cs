using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace Gateway.Tests;

/// <summary>The public pages over plain HTTP: content, escaping, languages, downloads.</summary>
public sealed class WebPagesTests(JsonGatewayFixture f) : IClassFixture<JsonGatewayFixture>
{
    [Fact]
    public async Task Consultations_list_shows_state_and_the_deadline_as_the_last_day_in_geneva_time()
    {
        var html = WebUtility.HtmlDecode(await f.Http.GetStringAsync("/consultations"));

        Assert.Contains("Public policy on Internet connectivity", html);
        // The service's exclusive end (midnight starting 1 March) reads as the last day responses are accepted.
        Assert.Contains("until the end of 28 February 2027, Geneva time (CET)", html);
        Assert.DoesNotContain("1 March 2027", html);
        Assert.Contains("datetime=\"2027-02-28T23:00:00Z\"", html);
        Assert.Contains(">Open<", html);
    }

    [Fact]
    public async Task Pages_are_in_french_when_asked()
    {
        var html = WebUtility.HtmlDecode(await f.Http.GetStringAsync("/consultations?culture=fr"));

        Assert.Contains("<html lang=\"fr\">", html);
        Assert.Contains("Consultations publiques", html);
        Assert.Contains("jusqu’à la fin du 28 février 2027, heure de Genève (HNEC)", html);
        Assert.Contains(">Ouverte<", html);
    }

    [Fact]
    public async Task A_published_response_is_shown_as_text_never_as_markup()
    {
        var html = await f.Http.GetStringAsync("/consultations/" + PublicDataEndpoints.ConsultationId);

        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;", html);
        Assert.DoesNotContain(PublicDataEndpoints.HostileText, html);
        Assert.Contains("Ada Lovelace", html);
        Assert.Contains("/responses/r-1/attachments/0", html);
    }

    [Fact]
    public async Task A_response_page_shows_tracking_number_and_sha256()
    {
        var html = await f.Http.GetStringAsync("/responses/" + PublicDataEndpoints.ResponseId);

        Assert.Contains("CWG-2027-0001", html);
        Assert.Contains(new string('a', 64), html);
        Assert.Contains(new string('b', 64), html);
    }

    [Fact]
    public async Task An_unknown_consultation_is_a_404_page()
    {
        using var response = await f.Http.GetAsync("/consultations/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("consultation &#39;nope&#39; not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_html_attachment_downloads_as_opaque_bytes_with_a_safe_name()
    {
        using var response = await f.Http.GetAsync("/responses/r-1/attachments/0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("evil.html", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(PublicDataEndpoints.AttachmentBytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Bulk_download_is_a_zip_of_raw_files_with_a_manifest_of_hashes()
    {
        using var response = await f.Http.GetAsync($"/consultations/{PublicDataEndpoints.ConsultationId}/responses.zip");
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());

        var text = Read(zip, "CWG-2027-0001/response.txt");
        var attachment = zip.Entries.Single(e => e.FullName.StartsWith("CWG-2027-0001/attachments/", StringComparison.Ordinal));
        var manifest = Encoding.UTF8.GetString(Read(zip, "manifest.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(PublicDataEndpoints.HostileText, Encoding.UTF8.GetString(text));
        Assert.Equal("CWG-2027-0001/attachments/0-evil.html", attachment.FullName);
        Assert.Contains($"CWG-2027-0001/response.txt,{Convert.ToHexStringLower(SHA256.HashData(text))},r-1,CWG-2027-0001,{new string('a', 64)}", manifest);
        Assert.Contains(manifest, l => l.StartsWith($"CWG-2027-0001/attachments/0-evil.html,{Convert.ToHexStringLower(SHA256.HashData(PublicDataEndpoints.AttachmentBytes))}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_consultation_page_shows_one_page_of_responses_and_the_zip_holds_every_one()
    {
        var first = await f.Http.GetStringAsync("/consultations/" + PublicDataEndpoints.PagedConsultationId);
        Assert.Contains($"({PublicDataEndpoints.PagedCount})", first);
        Assert.Contains("Paged response 0.", first);
        Assert.Contains("Paged response 1.", first);
        Assert.DoesNotContain("Paged response 2.", first);
        Assert.Contains("?from=2#responses", first);

        var second = await f.Http.GetStringAsync($"/consultations/{PublicDataEndpoints.PagedConsultationId}?from=2");
        Assert.Contains("Paged response 2.", second);
        Assert.DoesNotContain("Paged response 1.", second);
        Assert.Contains("?from=4#responses", second);
        Assert.Contains($"href=\"/consultations/{PublicDataEndpoints.PagedConsultationId}#responses\"", second);

        // 75 pages of two: the download follows every one.
        using var response = await f.Http.GetAsync($"/consultations/{PublicDataEndpoints.PagedConsultationId}/responses.zip");
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
        var manifest = Encoding.UTF8.GetString(Read(zip, "manifest.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(PublicDataEndpoints.PagedCount + 1, manifest.Length);
        Assert.Equal(PublicDataEndpoints.PagedCount, zip.Entries.Count(e => e.FullName.EndsWith("/response.txt", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_bulk_download_is_streamed_page_by_page_not_built_whole_first()
    {
        // The service holds the second page back until the first page's files reached the client:
        // a gateway that gathered every response before sending would wait here for 30 s and fail.
        using var response = await f.Http.GetAsync($"/consultations/{PublicDataEndpoints.GatedConsultationId}/responses.zip",
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var stream = await response.Content.ReadAsStreamAsync();
        var head = new byte[4];
        await stream.ReadExactlyAsync(head).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("PK\u0003\u0004", Encoding.ASCII.GetString(head));
        PublicDataEndpoints.SecondPageGate.TrySetResult();

        var rest = new MemoryStream();
        rest.Write(head);
        await stream.CopyToAsync(rest);
        rest.Position = 0;
        using var zip = new ZipArchive(rest);
        Assert.Equal(["CWG-2027-G1/response.txt", "CWG-2027-G2/response.txt", "manifest.csv"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        Assert.Equal(PublicDataEndpoints.HostileText, Encoding.UTF8.GetString(Read(zip, "CWG-2027-G2/response.txt")));
        Assert.Equal(3, Encoding.UTF8.GetString(Read(zip, "manifest.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task A_download_the_service_fails_half_way_ends_as_a_broken_transfer_not_a_short_archive()
    {
        // The first page is read before anything is sent: an unknown consultation is a 404 page.
        using (var missing = await f.Http.GetAsync("/consultations/nope/responses.zip"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        }

        // The second page fails after the first is on its way: the transfer breaks, so no client
        // keeps an archive that looks complete.
        var read = await Record.ExceptionAsync(async () =>
        {
            using var response = await f.Http.GetAsync($"/consultations/{PublicDataEndpoints.BrokenConsultationId}/responses.zip");
            using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
            _ = zip.Entries.Count;
        });
        Assert.NotNull(read);
        Assert.True(read is HttpRequestException or IOException or InvalidDataException, read.ToString());
    }

    [Fact]
    public async Task Teams_inventory_and_reports_pages_list_what_the_services_return()
    {
        var teams = await f.Http.GetStringAsync("/teams");
        var inventory = await f.Http.GetStringAsync("/inventory?text=rural");
        var reports = await f.Http.GetStringAsync("/reports");

        Assert.Contains("C1 — The role of public governance authorities", teams);
        Assert.Contains("C1 annual meeting", teams);
        Assert.Contains("<a href=\"/stakeholders/s-itu\">ITU</a>", teams);
        Assert.Contains("Rural broadband", inventory);
        Assert.DoesNotContain("e-Health records", inventory);
        Assert.Contains("WSIS implementation 2026", reports);
        Assert.DoesNotContain("Draft not public", reports);
    }

    [Fact]
    public async Task An_inventory_entry_has_its_own_page_linked_from_the_inventory_and_an_unknown_one_is_404_naming_it()
    {
        var inventory = await f.Http.GetStringAsync("/inventory");
        using var entry = await f.Http.GetAsync("/inventory/e-2");
        using var missing = await f.Http.GetAsync("/inventory/e-404");

        Assert.Contains("<a href=\"/inventory/e-1\">Rural broadband</a>", inventory);
        Assert.Equal(HttpStatusCode.OK, entry.StatusCode);
        var html = await entry.Content.ReadAsStringAsync();
        Assert.Contains("<h1>e-Health records</h1>", html);
        // Its javascript: address is shown as text, never a link.
        Assert.DoesNotContain("href=\"javascript:", html);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("inventory entry e-404 does not exist", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_javascript_url_in_the_inventory_is_not_made_a_link()
    {
        var inventory = await f.Http.GetStringAsync("/inventory");

        Assert.Contains("href=\"https://example.org/rural\"", inventory);
        Assert.DoesNotContain("javascript:", inventory);
    }

    [Fact]
    public async Task Stylesheet_and_script_are_served()
    {
        using var css = await f.Http.GetAsync("/css/site.css");
        using var js = await f.Http.GetAsync("/js/local-time.js");
        using var search = await f.Http.GetAsync("/inventory?text=rural");

        Assert.True(css.IsSuccessStatusCode, $"css {(int)css.StatusCode} {await css.Content.ReadAsStringAsync()}");
        Assert.True(js.IsSuccessStatusCode, $"js {(int)js.StatusCode} {await js.Content.ReadAsStringAsync()}");
        Assert.Equal("text/javascript", js.Content.Headers.ContentType?.MediaType);
        Assert.True(search.IsSuccessStatusCode, $"search {(int)search.StatusCode}");
    }

    [Theory]
    [InlineData("/%5Cevil.example/")]
    [InlineData("/%09/evil.example/")]
    [InlineData("/%0d%0aSet-Cookie:%20x=1")]
    [InlineData("/%E2%80%A8evil")]
    [InlineData("//evil.example/")]
    [InlineData("https://evil.example/")]
    public async Task A_language_link_with_a_hostile_return_url_goes_home_never_500(string returnUrl)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = f.Gateway.WebAddress };
        using var response = await http.GetAsync("/language/en?returnUrl=" + returnUrl);

        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.BadRequest, $"{(int)response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            Assert.Equal("/", response.Headers.Location?.OriginalString);
        }
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("x=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_language_link_returns_to_the_page_it_came_from()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = f.Gateway.WebAddress };
        using var response = await http.GetAsync("/language/fr?returnUrl=/consultations%3Fculture%3Dfr");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/consultations?culture=fr", response.Headers.Location?.OriginalString);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
