using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using Xunit;

namespace Gateway.Tests;

/// <summary>The Atom feeds (RFC 4287) as a feed reader sees them: read by an independent parser
/// (Debian's python3-feedparser) and checked for what RFC 4287 requires, linked from the pages.</summary>
public sealed class AtomFeedTests(JsonGatewayFixture f) : IClassFixture<JsonGatewayFixture>
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    private async Task<(XDocument Xml, JsonElement Parsed)> FeedAsync(string path)
    {
        using var response = await f.Http.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);

        var xml = XDocument.Load(new MemoryStream(body));
        var feed = xml.Root!;
        Assert.Equal(Atom + "feed", feed.Name);
        // RFC 4287 4.1.1: exactly one id, title and updated; an author for the feed or every entry; a self link.
        Assert.Single(feed.Elements(Atom + "id"));
        Assert.Single(feed.Elements(Atom + "title"));
        Assert.Single(feed.Elements(Atom + "updated"));
        Assert.NotEmpty(feed.Elements(Atom + "author"));
        Assert.Contains(feed.Elements(Atom + "link"), l => (string?)l.Attribute("rel") == "self");
        foreach (var entry in feed.Elements(Atom + "entry"))
        {
            Assert.Single(entry.Elements(Atom + "id"));
            Assert.Single(entry.Elements(Atom + "title"));
            Assert.Single(entry.Elements(Atom + "updated"));
            Assert.True(Uri.IsWellFormedUriString((string)entry.Element(Atom + "id")!, UriKind.Absolute));
        }

        return (xml, await ParseIndependentlyAsync(body));
    }

    private static async Task<JsonElement> ParseIndependentlyAsync(byte[] feed)
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "python3 missing: run scripts/install-test-deps.sh (python3-feedparser)");
        var start = new ProcessStartInfo(python, [Path.Combine(AppContext.BaseDirectory, "interop", "check_feed.py")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.BaseStream.WriteAsync(feed);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, $"feedparser: {await error}");
        return JsonDocument.Parse(await output).RootElement;
    }

    [Fact]
    public async Task The_consultations_feed_has_an_entry_per_consultation_linking_to_its_page()
    {
        var (_, parsed) = await FeedAsync("/consultations.atom");

        Assert.Equal("atom10", parsed.GetProperty("version").GetString());
        var entries = parsed.GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("title").GetString() == "Public policy on Internet connectivity (Open)"
            && e.GetProperty("link").GetString()!.EndsWith("/consultations/c-1", StringComparison.Ordinal)
            && e.GetProperty("content").GetString()!.Contains("until the end of 28 February 2027, Geneva time (CET)", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.GetProperty("title").GetString() == "Cross-border data flows (Results published)");
    }

    [Fact]
    public async Task The_responses_feed_carries_each_text_as_written_and_pages_with_next_links()
    {
        var (xml, parsed) = await FeedAsync("/consultations/c-1/responses.atom");
        var entry = Assert.Single(parsed.GetProperty("entries").EnumerateArray());
        Assert.Equal(PublicDataEndpoints.HostileText, entry.GetProperty("content").GetString());
        Assert.Equal("text", (string?)xml.Root!.Element(Atom + "entry")!.Element(Atom + "content")!.Attribute("type"));
        Assert.EndsWith("/responses/r-1", entry.GetProperty("link").GetString());

        var (_, paged) = await FeedAsync($"/consultations/{PublicDataEndpoints.PagedConsultationId}/responses.atom");
        var next = paged.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "next");
        Assert.EndsWith($"/consultations/{PublicDataEndpoints.PagedConsultationId}/responses.atom?from=2", next.GetProperty("href").GetString());
    }

    [Fact]
    public async Task The_reports_feed_lists_submitted_reports_only()
    {
        var (_, parsed) = await FeedAsync("/reports.atom");
        var titles = parsed.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("title").GetString()).ToList();

        Assert.Contains("WSIS implementation 2026", titles);
        Assert.DoesNotContain("Draft not public", titles);
    }

    [Theory]
    [InlineData("/consultations.atom", "Cross-border data flows (Results published)")]
    [InlineData("/consultations/" + PublicDataEndpoints.PagedConsultationId + "/responses.atom", "CWG-2027-0150 — Respondent 149")]
    [InlineData("/reports.atom", "WSIS implementation 2026")]
    public async Task Every_feed_lists_its_entries_newest_first(string path, string newest)
    {
        var (_, parsed) = await FeedAsync(path);
        var entries = parsed.GetProperty("entries").EnumerateArray().ToList();
        var updated = entries.Select(e => DateTimeOffset.Parse(e.GetProperty("updated").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.True(entries.Count >= 2, $"{path}: {entries.Count} entries");
        Assert.Equal(newest, entries[0].GetProperty("title").GetString());
        Assert.Equal(updated.OrderDescending(), updated);
        Assert.Equal(updated[0], DateTimeOffset.Parse(parsed.GetProperty("updated").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_responses_feed_goes_back_in_time_page_by_page()
    {
        var (_, first) = await FeedAsync($"/consultations/{PublicDataEndpoints.PagedConsultationId}/responses.atom");
        var next = first.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "next").GetProperty("href").GetString()!;
        var (_, second) = await FeedAsync(new Uri(next).PathAndQuery);

        var firstIds = first.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("link").GetString()!.Split('/')[^1]).ToList();
        var secondIds = second.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("link").GetString()!.Split('/')[^1]).ToList();
        Assert.Equal(["p-149", "p-148"], firstIds);
        Assert.Equal(["p-147", "p-146"], secondIds);
    }

    [Fact]
    public async Task Pages_name_their_feed_for_browsers_and_readers()
    {
        foreach (var (page, feed) in new[] { ("/consultations", "/consultations.atom"), ("/consultations/c-1", "/consultations/c-1/responses.atom"), ("/reports", "/reports.atom") })
        {
            var html = await f.Http.GetStringAsync(page);
            Assert.Contains($"<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{feed}\"", html);
        }
    }
}
