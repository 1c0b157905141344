using Grpc.Core;
using Wsis.Consultations.V1;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

/// <summary>SearchResponses: full-text search over published responses by the database's own engine,
/// on PostgreSQL (full-text search) and on SQLite (FTS5, the embedded mode), with the same answers.</summary>
public class ResponseSearchTests
{
    public static TheoryData<string> Providers => new() { "Postgres", "Sqlite" };

    private static Task<ConsultationsHost> StartAsync(string provider) => provider == "Sqlite"
        ? ConsultationsHost.StartAsync(ConsultationsServiceTests.January10,
            $"Data Source={Path.Combine(Directory.CreateTempSubdirectory("consultations-search-").FullName, "c.db")}",
            new Dictionary<string, string?> { ["Database:Provider"] = "Sqlite" })
        : ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Finds_published_responses_by_their_words_within_one_consultation_or_all_with_filters(string provider)
    {
        await using var host = await StartAsync(provider);
        var first = await ConsultationsServiceTests.OpenAsync(host);
        var second = await ConsultationsServiceTests.OpenAsync(host, "2027-04-30");
        await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(first.Id, "Spectrum for community networks lowers rural costs."));
        await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(first.Id, "Exchange points keep traffic local."));
        var government = ConsultationsServiceTests.Submission(second.Id, "Community networks need spectrum sharing rules.");
        government.Respondent.Category = RespondentCategory.Government;
        government.Respondent.CountryCode = "KE";
        await host.Anonymous.SubmitResponseAsync(government);

        async Task<List<string>> Search(SearchResponsesRequest request) =>
            (await host.Anonymous.SearchResponsesAsync(request)).Responses.Select(r => r.Text).ToList();

        // Every word must match, whatever the case; the words are data, never query syntax.
        Assert.Equal(2, (await Search(new SearchResponsesRequest { Query = "COMMUNITY networks" })).Count);
        Assert.Equal(["Exchange points keep traffic local."], await Search(new SearchResponsesRequest { Query = "traffic" }));
        Assert.Empty(await Search(new SearchResponsesRequest { Query = "community traffic" }));
        Assert.Empty(await Search(new SearchResponsesRequest { Query = "\"spectrum OR NEAR(x\" * -rural" }));
        Assert.Equal(["Spectrum for community networks lowers rural costs."],
            await Search(new SearchResponsesRequest { Query = "spectrum", ConsultationId = first.Id }));
        Assert.Equal(["Community networks need spectrum sharing rules."],
            await Search(new SearchResponsesRequest { Query = "spectrum", Category = RespondentCategory.Government, CountryCode = "ke", Channel = Channel.Web }));

        // Pages follow the receipt order with the usual tokens.
        var page = await host.Anonymous.SearchResponsesAsync(new SearchResponsesRequest { Query = "spectrum", PageSize = 1 });
        Assert.Single(page.Responses);
        Assert.NotEmpty(page.NextPageToken);
        var next = await host.Anonymous.SearchResponsesAsync(new SearchResponsesRequest { Query = "spectrum", PageSize = 1, PageToken = page.NextPageToken });
        Assert.Empty(next.NextPageToken);
        Assert.Equal(
            ["Community networks need spectrum sharing rules.", "Spectrum for community networks lowers rural costs."],
            page.Responses.Concat(next.Responses).Select(r => r.Text).Order(StringComparer.Ordinal));

        var empty = await Assert.ThrowsAsync<RpcException>(async () => await host.Anonymous.SearchResponsesAsync(new SearchResponsesRequest { Query = " !? " }));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("query", empty.Status.Detail);
    }
}
