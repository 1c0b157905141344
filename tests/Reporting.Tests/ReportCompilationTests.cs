using System.Globalization;
using System.Xml.Linq;
using AngleSharp.Html.Parser;
using NodaTime;
using NodaTime.Extensions;
using Platform.Domain;
using Platform.ServiceDefaults;
using Wsis.Reporting.Model;
using Xunit;

namespace Wsis.Reporting.Tests;

public class ReportCompilationTests
{
    private static readonly Instant CompiledAt = new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero).ToInstant();
    private readonly StocktakingDataSet data = StocktakingDataSet.Build();

    private ReportDocument Compile(int fromYear, int toYear) => ReportCompiler.Compile(data.Sources,
        new DateTimeOffset(fromYear, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), new DateTimeOffset(toYear + 1, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), CompiledAt);

    [Fact]
    public void A_report_has_a_section_for_each_of_the_eleven_action_lines_with_its_coordinator_and_contributions()
    {
        var d = Compile(2024, 2025);
        Assert.Equal(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11"], d.Sections.Select(s => s.Code));
        Assert.Equal([2024, 2025], d.Years);
        foreach (var s in d.Sections)
        {
            Assert.Equal(data.TeamOf[s.Code], s.TeamId);
            Assert.NotNull(s.CoordinatorName);
            Assert.Equal([2024, 2025], s.Contributions.Select(c => c.Year));
            var expected = data.Contributions.Where(c => c.Year >= 2024)
                .SelectMany(c => c.Entries.Select(e => (Team: c.ActionLineCode, Entry: e)))
                .Count(x => x.Team == s.Code || x.Entry.ActionLineCodes.Any(code => code == s.Code || code.StartsWith(s.Code + ".", StringComparison.Ordinal)));
            Assert.Equal(expected, s.InventoryEntries.Count);
        }
        Assert.Equal("UNESCO", d.Sections[1].CoordinatorName);
        // C7's entries are all under its sub-lines; the section still gathers them.
        Assert.All(d.Sections[6].InventoryEntries, e => Assert.StartsWith("C7.", e.ActionLineCodes[0]));
    }

    [Fact]
    public void A_teams_section_shows_its_own_entries_even_when_filed_under_other_lines()
    {
        var c9 = data.Contributions.First(c => c.ActionLineCode == "C9" && c.Year == 2025);
        Stored.Overwrite(c9.Entries[0], nameof(InventoryEntry.ActionLineCodes), new List<string> { "C3" });
        var d = Compile(2025, 2025);
        Assert.Contains(d.Sections.Single(s => s.Code == "C9").InventoryEntries, e => e.EntryId == c9.Entries[0].EntryId);
        Assert.Contains(d.Sections.Single(s => s.Code == "C3").InventoryEntries, e => e.EntryId == c9.Entries[0].EntryId);
        Assert.DoesNotContain(d.Sections.Single(s => s.Code == "C4").InventoryEntries, e => e.EntryId == c9.Entries[0].EntryId);
    }

    [Fact]
    public void National_reports_and_consultations_are_those_of_the_period()
    {
        var d = Compile(2025, 2025);
        Assert.Equal(data.NationalReports.Count(r => r.Year == 2025), d.NationalReports.Count);
        Assert.All(d.NationalReports, r => Assert.Equal(2025, r.Year));
        var consultation = Assert.Single(d.Consultations);
        Assert.StartsWith("Open consultation 2025", consultation.Title);
        Assert.Equal(5 + 2025 % 4, consultation.ResponseCount);
        Assert.Equal(consultation.ResponseCount, consultation.ByCategory.Sum(c => c.Count));
    }

    [Fact]
    public void Figures_count_by_action_line_category_country_and_year()
    {
        var d = Compile(2023, 2025);
        var entries = data.Contributions.SelectMany(c => c.Entries).ToList();

        var byLine = Figure(d, "entries-by-action-line");
        Assert.Equal(11, byLine.Bars.Count);
        foreach (var bar in byLine.Bars)
            Assert.Equal(entries.Count(e => e.ActionLineCodes.Any(c => ActionLines.IsWithin(c, bar.Key))), bar.Count);

        var byCategory = Figure(d, "entries-by-stakeholder-category");
        Assert.Equal(entries.Count, byCategory.Bars.Sum(b => b.Count));
        Assert.Equal(entries.Count(e => data.Stakeholders.Find(e.StakeholderId!)!.Category == StakeholderCategory.CivilSociety),
            byCategory.Bars.Single(b => b.Key == "Civil society").Count);

        var byCountry = Figure(d, "entries-by-country");
        Assert.Equal(entries.Sum(e => e.CountryCodes.Count), byCountry.Bars.Sum(b => b.Count));
        Assert.Equal(entries.Count(e => e.CountryCodes.Contains("KE")), byCountry.Bars.Single(b => b.Key == "KE").Count);
        Assert.Equal(byCountry.Bars.Select(b => b.Count).OrderDescending(), byCountry.Bars.Select(b => b.Count));

        var years = Figure(d, "entries-year-over-year");
        Assert.Equal(["2023", "2024", "2025"], years.Bars.Select(b => b.Key));
        Assert.Equal(StocktakingDataSet.Years.Select(y => entries.Count(e => e.Year == y)), years.Bars.Select(b => b.Count));

        var responses = Figure(d, "consultation-responses-by-category");
        Assert.Equal(d.Consultations.Sum(c => c.ResponseCount), responses.Bars.Sum(b => b.Count));
    }

    [Fact]
    public void Year_over_year_reaches_back_before_the_period()
    {
        var years = Figure(Compile(2025, 2025), "entries-year-over-year");
        Assert.Equal(["2023", "2024", "2025"], years.Bars.Select(b => b.Key));
    }

    [Fact]
    public void Html_charts_draw_bars_whose_heights_are_proportional_to_the_counts()
    {
        var d = Compile(2023, 2025);
        var html = ReportRenderer.Html(d);
        var document = new HtmlParser().ParseDocument(html);
        var svgs = document.QuerySelectorAll("svg.chart");
        Assert.Equal(d.Figures.Count, svgs.Length);

        foreach (var figure in d.Figures)
        {
            // Each chart is also well-formed XML on its own (so it can be lifted out as an .svg file).
            var svgElement = document.QuerySelector($"#fig-{figure.Id}")!;
            var svg = XDocument.Parse(svgElement.OuterHtml).Root!;
            XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(figure.Title, svg.Element(ns + "title")!.Value);
            Assert.Contains(figure.Description, svg.Element(ns + "desc")!.Value);
            Assert.Equal("img", (string?)svg.Attribute("role"));

            var bars = svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "bar").ToList();
            Assert.Equal(figure.Bars.Count, bars.Count);
            var (axisMax, _) = BarChart.Axis(figure.Bars.Max(b => b.Count));
            for (var i = 0; i < bars.Count; i++)
            {
                var rect = bars[i].Element(ns + "rect")!;
                var height = Number(rect, "height");
                var expected = (double)figure.Bars[i].Count / axisMax * BarChart.PlotHeight;
                Assert.True(Math.Abs(height - expected) < 0.01, $"{figure.Id} bar {figure.Bars[i].Key}: height {height}, expected {expected}");
                // Bars stand on the x axis.
                Assert.Equal(BarChart.MarginTop + BarChart.PlotHeight, Number(rect, "y") + height, 2);
                var texts = bars[i].Elements(ns + "text").ToList();
                var label = texts.Single(t => (string?)t.Attribute("class") == "label");
                Assert.Equal(figure.Bars[i].Key, string.Join(" ", label.Elements(ns + "tspan").Select(t => t.Value)));
                Assert.Equal(figure.Bars[i].Count.ToString(CultureInfo.InvariantCulture), texts.Single(t => (string?)t.Attribute("class") == "value").Value);
            }
            // The tallest bar reaches at least half the plot: the axis is not needlessly tall.
            Assert.True(bars.Max(b => Number(b.Element(ns + "rect")!, "height")) >= BarChart.PlotHeight / 2.0);
            // Axis ticks start at zero and reach the axis top.
            var ticks = svg.Descendants(ns + "text").Where(t => (string?)t.Attribute("class") == "tick").Select(t => int.Parse(t.Value, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(0, ticks[0]);
            Assert.Equal(axisMax, ticks[^1]);
        }
    }

    [Fact]
    public void Charts_with_many_categories_fold_the_rest_into_one_bar_that_keeps_the_total()
    {
        var bars = Enumerable.Range(0, 40).Select(i => new CountBy($"K{i}", 40 - i)).ToList();
        var figure = new Figure("many", "Many", "Many bars.", "Key", "Count", bars);
        var svg = XDocument.Parse(BarChart.Render(figure)).Root!;
        XNamespace ns = "http://www.w3.org/2000/svg";
        var drawn = svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "bar").ToList();
        Assert.Equal(BarChart.MaxBars, drawn.Count);
        Assert.Equal(bars.Sum(b => b.Count), drawn.Sum(g => int.Parse((string)g.Attribute("data-value")!, CultureInfo.InvariantCulture)));
        Assert.Equal("Other (17)", (string?)drawn[^1].Attribute("data-label"));
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 1, 1)]
    [InlineData(4, 4, 1)]
    [InlineData(7, 8, 2)]
    [InlineData(23, 25, 5)]
    [InlineData(130, 150, 50)]
    public void The_axis_ends_at_a_round_number_above_the_largest_count(int max, int axisMax, int step)
    {
        Assert.Equal((axisMax, step), BarChart.Axis(max));
    }

    [Fact]
    public void Every_text_is_escaped_in_html_svg_and_markdown()
    {
        const string hostile = "<script>alert('x')</script> & \"quoted\" | *bold*";
        data.Stakeholders.Apply(new StakeholderRegistration(Guid.NewGuid(), DateTimeOffset.UnixEpoch.AddYears(60).ToInstant(), data.CoordinatorOf["C1"], hostile, StakeholderCategory.IntergovernmentalOrganization, "CH"));
        Stored.Overwrite(data.Contributions[0].Entries[0], nameof(InventoryEntry.Title), hostile);
        Stored.Overwrite(data.Contributions[0].Entries[0], nameof(InventoryEntry.Url), "https://example.org/?a=1&b=\"><script>");
        var d = Compile(2023, 2023);
        var html = ReportRenderer.Html(d);
        Assert.DoesNotContain("<script>", html);
        var document = new HtmlParser().ParseDocument(html);
        Assert.Empty(document.QuerySelectorAll("script"));
        Assert.Contains(document.QuerySelectorAll("td"), td => td.TextContent.Contains(hostile));
        Assert.Contains(document.QuerySelectorAll("p"), p => p.TextContent.Contains("Coordinator: " + hostile));

        var hostileFigure = new Figure("x", hostile, hostile, hostile, hostile, [new CountBy(hostile, 3)]);
        var svg = XDocument.Parse(BarChart.Render(hostileFigure)).Root!;
        Assert.Contains(svg.Descendants(), e => e.Name.LocalName == "title" && e.Value == hostile);
        Assert.Contains(svg.Descendants(), e => e.Name.LocalName == "text" && (string?)e.Attribute("class") == "chart-title" && e.Value == hostile);

        var markdown = ReportRenderer.Markdown(d);
        Assert.DoesNotContain("<script>", markdown);
        Assert.Contains(@"\<script\>alert('x')\</script\> & ""quoted"" \| \*bold\*", markdown);
    }

    [Fact]
    public void Markdown_has_the_sections_and_figure_tables()
    {
        var d = Compile(2024, 2025);
        var md = ReportRenderer.Markdown(d);
        foreach (var line in ActionLines.TopLevel) Assert.Contains($"\n## {line.Code} ", md);
        Assert.Contains("## National implementation reports", md);
        Assert.Contains("## Open consultations held", md);
        var byLine = Figure(d, "entries-by-action-line");
        Assert.Contains($"| C2 | {byLine.Bars[1].Count} |", md);
    }

    [Fact]
    public void The_json_form_is_canonical_round_trips_and_is_what_gets_hashed()
    {
        var d = Compile(2023, 2025);
        var json = ReportRenderer.Render(d, ReportFormat.Json);
        Assert.Equal(json, CanonicalReport.Serialize(CanonicalReport.Deserialize(json)));
        // Compiling the same data again gives the same bytes.
        Assert.Equal(json, CanonicalReport.Serialize(Compile(2023, 2025)));
        Assert.Contains("\"sections\":[{\"code\":\"C1\"", json);
    }

    [Fact]
    public void A_period_must_end_after_it_starts_and_span_at_most_ten_years()
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal("period_end", Assert.Single(Refusals.Fields(Refusals.Of(() => ReportPeriod.Of(start.ToInstant(), start.ToInstant())))));
        Assert.Equal("period_end", Assert.Single(Refusals.Fields(Refusals.Of(() => ReportPeriod.Of(start.ToInstant(), start.AddYears(11).ToInstant())))));
        Assert.Equal("period_start", Assert.Single(Refusals.Fields(Refusals.Of(() => ReportPeriod.Of(null, start.ToInstant())))));
        ReportPeriod.Of(start.ToInstant(), start.AddYears(1).ToInstant());
        Assert.Equal([2025], ReportPeriod.YearsOf(start.ToInstant(), start.AddYears(1).ToInstant()));
        Assert.Equal([2024, 2025], ReportPeriod.YearsOf(start.AddDays(-1).ToInstant(), start.AddDays(1).ToInstant()));
    }

    private static Figure Figure(ReportDocument d, string id) => d.Figures.Single(f => f.Id == id);

    private static double Number(XElement e, string attribute) =>
        double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);
}

public class ReportLifecycleTests
{
    private static readonly Instant Now = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero).ToInstant();
    private readonly StocktakingDataSet data = StocktakingDataSet.Build();
    private Actor Chair => Refusals.Coordinator(data.Chair);

    private Report Draft()
    {
        var d = ReportCompiler.Compile(data.Sources, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), Now);
        return Report.Draft(Guid.NewGuid(), d, "chair");
    }

    [Fact]
    public void Submission_freezes_the_content_under_its_sha256()
    {
        var report = Draft();
        Assert.Null(report.ContentHash);
        report.Submit(Chair, data.Officers, Now);
        Assert.Equal(ReportState.Submitted, report.State);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(report.Content)));
        Assert.Equal(expected, report.ContentHash);
        Assert.True(report.IsIntact);

        var again = Refusals.Of(() => report.Submit(Chair, data.Officers, Now + Duration.FromDays(1)));
        Assert.Equal(DomainErrorKind.FailedPrecondition, again.Kind);
        Assert.Equal(Now, report.SubmittedAt);

        Stored.Overwrite(report, nameof(Report.Content), report.Content.Replace("C1", "C0"));
        Assert.False(report.IsIntact);
    }

    [Fact]
    public void Transmission_needs_a_submitted_report_and_is_recorded_once()
    {
        var report = Draft();
        var secretariat = Refusals.Secretariat;
        Assert.Equal(DomainErrorKind.FailedPrecondition, Refusals.Of(() => report.RecordTransmission("A/81/100", secretariat, Now)).Kind);
        report.Submit(Chair, data.Officers, Now);
        Assert.Equal("reference", Assert.Single(Refusals.Fields(Refusals.Of(() => report.RecordTransmission(" ", secretariat, Now)))));
        report.RecordTransmission("A/81/100", secretariat, Now);
        Assert.Equal(ReportState.TransmittedToGeneralAssembly, report.State);
        report.RecordTransmission("A/81/100", secretariat, Now + Duration.FromDays(1)); // a retry is harmless
        Assert.Equal(Now, report.TransmittedAt);
        Assert.Equal(DomainErrorKind.FailedPrecondition, Refusals.Of(() => report.RecordTransmission("A/81/999", secretariat, Now)).Kind);
    }

    [Fact]
    public void The_seal_appears_in_the_rendered_forms()
    {
        var report = Draft();
        report.Submit(Chair, data.Officers, Now);
        var html = ReportRenderer.Render(report.Document, ReportFormat.Html, report.Seal);
        var md = ReportRenderer.Render(report.Document, ReportFormat.Markdown, report.Seal);
        Assert.Contains(report.ContentHash!, html);
        Assert.Contains(report.ContentHash!, md);
        Assert.Equal(report.ContentHash, CanonicalReport.Hash(ReportRenderer.Render(report.Document, ReportFormat.Json)));
    }
}

public class ReportPeriodTests
{
    [Fact]
    public void Periods_are_inclusive_dates_in_the_api()
    {
        var (start, end) = ReportPeriod.Parse("2025-01-01", "2025-12-31");
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), start);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), end);
        Assert.Equal("2025-12-31", ReportPeriod.LastDayOf(end));
        Assert.Equal([2025], ReportPeriod.YearsOf(start, end));
        // A single day is a valid period.
        ReportPeriod.Parse("2025-03-01", "2025-03-01");
    }

    [Theory]
    [InlineData("2025-13-01", "2025-12-31", "period_start")]
    [InlineData("", "2025-12-31", "period_start")]
    [InlineData("2025-01-01", "31/12/2025", "period_end")]
    [InlineData("2025-01-01", "2024-12-31", "period_end")]
    public void Bad_periods_name_the_field(string first, string last, string field)
    {
        Assert.Equal(field, Assert.Single(Refusals.Fields(Refusals.Of(() => ReportPeriod.Parse(first, last)))));
    }
}

public class HealthProbeTests
{
    [Theory]
    [InlineData(null, "http://127.0.0.1:5103")]
    [InlineData("http://+:5103", "http://127.0.0.1:5103")]
    [InlineData("http://0.0.0.0:6000;http://127.0.0.1:7000", "http://127.0.0.1:6000")]
    [InlineData("http://127.0.0.1:41000", "http://127.0.0.1:41000")]
    public void The_probe_asks_the_local_endpoint(string? urls, string expected)
    {
        Assert.Equal(expected, GrpcHealthProbe.LocalAddress(urls, "http://127.0.0.1:5103"));
    }
}
