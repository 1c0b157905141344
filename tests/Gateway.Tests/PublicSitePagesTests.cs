using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Gateway.Tests;

/// <summary>The pages that show the whole process — a team and its coordinator's history, the
/// coordinators' meetings and their elections, the action lines, a closed consultation's results —
/// over plain HTTP, against a backend answering as the services do.</summary>
public sealed class PublicSitePagesTests(JsonGatewayFixture f) : IClassFixture<JsonGatewayFixture>
{
    private async Task<string> PageAsync(string path)
    {
        using var response = await f.Http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {html}");
        return WebUtility.HtmlDecode(html);
    }

    [Fact]
    public async Task Teams_shows_a_coordinator_who_is_not_a_member_by_name_not_by_id()
    {
        var html = await PageAsync("/teams");

        Assert.Contains(">United Nations Development Programme</a>", html);
        Assert.DoesNotContain(">s-undp<", html);
        Assert.Contains("href=\"/teams/t-c2\"", html);
    }

    [Fact]
    public async Task A_team_page_shows_members_every_designation_step_modalities_versions_and_meetings()
    {
        var html = await PageAsync("/teams/t-c1");

        Assert.Contains("<h1>Team C1 — The role of public governance authorities</h1>", html);
        // The designation history: nominated, recommended by which meeting, designated by which decision, ended.
        Assert.Contains("Recommended by Stakeholder meeting of 18 January 2026", html);
        Assert.Contains("Designated by UNSG decision 2026/03", html);
        Assert.Matches(new Regex("<td><a href=\"/stakeholders/s-2\">UNESCO</a></td>\\s*<td>UNSG decision 2025/07</td>\\s*<td><time datetime=\"2025-02-01T09:00:00Z\""), html);
        Assert.Contains("In force", html);
        // Modalities, newest first, the one in force marked.
        Assert.True(html.IndexOf("Version 2", StringComparison.Ordinal) < html.IndexOf("Version 1", StringComparison.Ordinal));
        Assert.Contains("Meets once a year.", html);
        Assert.Contains("C1 annual meeting", html);
        Assert.Contains("href=\"/inventory?year=2026&line=C1\"", html);
    }

    [Fact]
    public async Task A_stakeholder_page_links_back_to_the_teams_it_coordinates_and_the_offices_it_holds()
    {
        var html = await PageAsync("/stakeholders/s-itu");

        Assert.Contains("<h1>ITU</h1>", html);
        Assert.Contains("href=\"/teams/t-c1\"", html);
        Assert.Contains("href=\"/coordinators-meetings/cm-1\"", html);
        Assert.Contains("Chair", html);
    }

    [Fact]
    public async Task The_coordinators_meeting_shows_funding_officers_tallies_and_a_reported_tie()
    {
        var list = await PageAsync("/coordinators-meetings");
        Assert.Contains("href=\"/coordinators-meetings/cm-1\"", list);

        var html = await PageAsync("/coordinators-meetings/cm-1");
        Assert.Contains("<td>ITU</td><td>CHF 120,000.00</td>", html);
        Assert.Contains("<td>UNESCO</td><td>CHF 80,000.00</td>", html);
        Assert.Contains("Chair: votes (2 ballots)", html);
        Assert.Contains("Vice-Chair: votes (2 ballots)", html);
        Assert.Contains("Tie reported for Vice-Chair: UNESCO, United Nations Development Programme.", html);
        Assert.Contains("Each team reports once a year against the Plan of Action.", html);
        Assert.Contains("url, country_codes", html);
        Assert.Contains("href=\"/stakeholders/s-undp\"", html);
    }

    [Fact]
    public async Task The_action_lines_page_lists_the_18_lines_with_their_teams()
    {
        var html = await PageAsync("/action-lines");

        // C1–C11 and the eight e-applications of C7, as the service's catalogue gives them.
        Assert.Equal(19, Regex.Matches(html, "<th scope=\"row\">").Count);
        Assert.Contains("11 action lines and 8 e-applications of C7", html);
        Assert.Contains("href=\"/teams/t-c1\"", html);
        Assert.Contains("C7.E-HEALTH", html);
    }

    [Fact]
    public async Task A_closed_consultation_shows_its_results_counts_examination_and_published_summary_a_page_at_a_time()
    {
        var details = await PageAsync("/consultations/c-closed");
        Assert.Contains("href=\"/consultations/c-closed/results\"", details);
        Assert.Contains("until the end of 4 September 2026, Geneva time (CEST)", details);

        var html = await PageAsync("/consultations/c-closed/results");
        Assert.Contains("<td>Civil society</td><td>2</td>", html);
        Assert.Contains("<td>KE</td><td>2</td>", html);
        Assert.Contains("<td>Mailing list</td><td>1</td>", html);
        Assert.Contains("Examined at the group's meeting of 5 October 2026, Geneva", html);
        Assert.Contains("The group noted broad support for interoperable frameworks.", html);
        Assert.Contains("2 identical responses", html);
        Assert.Contains("CWG-2026-0001", html);
        Assert.DoesNotContain("CWG-2026-0003", html);
        Assert.Contains("href=\"/consultations/c-closed/results?from=1#responses\"", html);

        var second = await PageAsync("/consultations/c-closed/results?from=1");
        Assert.Contains("CWG-2026-0003", second);
    }

    [Fact]
    public async Task Lists_page_with_the_services_tokens_and_keep_the_query()
    {
        // The test backend gives one team per page when asked for one; the page asks for 20, so one page here:
        // the links appear only when the service says there is more.
        var teams = await PageAsync("/teams");
        Assert.DoesNotContain("rel=\"next\"", teams);

        var consultation = await PageAsync("/consultations/" + PublicDataEndpoints.PagedConsultationId + "?culture=en");
        Assert.Contains("href=\"/consultations/c-paged?culture=en&from=2#responses\"", consultation);
    }

    [Fact]
    public async Task The_inventory_form_labels_are_bound_to_their_fields()
    {
        var html = await PageAsync("/inventory");

        foreach (var (label, id) in new[] { ("Search", "text"), ("Year", "year"), ("Action line", "line"), ("Country", "country") })
        {
            Assert.Matches(new Regex($"<label for=\"{id}\">{label}</label>\\s*<input id=\"{id}\""), html);
        }
    }

    [Fact]
    public async Task A_report_downloads_as_markdown_and_json_and_its_page_links_a_printable_view()
    {
        var html = await PageAsync("/reports/rep-1");
        Assert.Contains("href=\"/reports/rep-1/content\"", html);
        Assert.Contains("1 January 2026 – 31 December 2026", html);

        using var markdown = await f.Http.GetAsync("/reports/rep-1/report.md");
        Assert.Equal("text/markdown", markdown.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", markdown.Content.Headers.ContentDisposition?.DispositionType);
        Assert.StartsWith("# WSIS implementation 2026", await markdown.Content.ReadAsStringAsync());

        using var json = await f.Http.GetAsync("/reports/rep-1/report.json");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        using var document = System.Text.Json.JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal("WSIS implementation 2026", document.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Responses_are_searched_within_a_consultation_or_across_all_with_filters_a_page_at_a_time()
    {
        var consultation = await PageAsync("/consultations/c-1");
        Assert.Contains("<form method=\"get\" action=\"/search\" role=\"search\"", consultation);
        Assert.Contains("name=\"consultation\" value=\"c-1\"", consultation);

        var within = await PageAsync("/search?consultation=c-1&q=connected&category=CivilSociety&country=sn&channel=Web");
        Assert.Contains("Within <a href=\"/consultations/c-1\">Public policy on Internet connectivity</a>", within);
        Assert.Contains("Found for 'connected' in 'c-1', CivilSociety, 'SN', Web.", within);
        Assert.Contains("href=\"/search?consultation=c-1&q=connected&category=CivilSociety&country=sn&channel=Web&from=p2#found\"", within);

        var across = await PageAsync("/search?q=connected");
        Assert.Contains("Found for 'connected' in '', Unspecified, '', Unspecified.", across);
        Assert.Contains("No published response contains all these words.", await PageAsync("/search?q=nothing"));

        using var refused = await f.Http.GetAsync("/search?q=%21%3F");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("give at least one word", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task National_reports_are_shown_as_written_with_their_activities()
    {
        var html = await PageAsync("/national-reports");

        Assert.Contains("KE — 2026", html);
        Assert.Contains("Kenya connected 1,200 schools.", html);
        Assert.Contains("Schools online", html);
    }

    [Fact]
    public async Task A_closed_consultation_shows_its_final_checkpoint_count_results_summary_and_how_to_verify_in_english_and_french()
    {
        var html = await PageAsync("/consultations/c-closed");

        Assert.Contains("Closed: the final record of the responses", html);
        Assert.Matches(new Regex("data-testid=\"final-count\">3<"), html);
        Assert.Matches(new Regex("data-testid=\"final-size\">3<"), html);
        Assert.Contains($"data-testid=\"final-root\">{new string('d', 64)}<", html);
        Assert.Contains("<time datetime=\"2026-09-04T22:00:00.123Z\" data-testid=\"final-time\">2026-09-04T22:00:00.123Z</time>", html);
        Assert.Contains("data-testid=\"final-key\">0123456789abcdef<", html);
        Assert.Contains("wsis-consultations/c-closed\n3\n", html);
        Assert.Contains("The group noted broad support for interoperable frameworks.", html);
        Assert.Contains("How to verify", html);
        Assert.Contains("wsis-verify consultation c-closed", html);
        Assert.Contains("tools/Verify", html);
        Assert.Contains("href=\"/v1/consultations/c-closed/log/checkpoint\"", html);
        Assert.Contains("href=\"/v1/log/public-key\"", html);

        var french = await PageAsync("/consultations/c-closed?culture=fr");
        Assert.Contains("Close : l'état final des réponses", french);
        Assert.Contains("Point de contrôle final : taille du journal", french);
        Assert.Contains("Comment vérifier", french);
        Assert.Contains("Synthèse des résultats", french);

        // An open consultation has no final record yet.
        Assert.DoesNotContain("final-root", await PageAsync("/consultations/c-1"));
    }

    [Theory]
    [InlineData("r-dkim-pass", "Passed: the domain ministry.example signed this message and the signature verified at receipt.", "Réussie : le domaine ministry.example a signé ce message")]
    [InlineData("r-dkim-fail", "Failed: the message carries a DKIM signature that did not verify at receipt", "Échouée : le message porte une signature DKIM")]
    [InlineData("r-dkim-none", "None: the message carries no DKIM signature", "Aucune : le message ne porte pas de signature DKIM")]
    public async Task An_e_mail_response_shows_its_dkim_outcome_in_words_and_that_it_never_hides_a_response(string id, string english, string french)
    {
        var html = await PageAsync("/responses/" + id);
        Assert.Contains("Sender verification (DKIM)", html);
        Assert.Contains(english, html);
        Assert.Contains("it is never a reason to hide or refuse a response", html);
        Assert.Contains($"data-testid=\"published-sha256\">{new string('e', 64)}<", html);
        Assert.Contains("href=\"/responses/" + id + "/record.json\"", html);

        var fr = await PageAsync($"/responses/{id}?culture=fr");
        Assert.Contains("Vérification de l'expéditeur (DKIM)", fr);
        Assert.Contains(french, fr);

        // A web response has no DKIM line.
        Assert.DoesNotContain("Sender verification (DKIM)", await PageAsync("/responses/r-1"));
    }
}
