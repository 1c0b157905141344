using NodaTime;

namespace Wsis.Consultations.Model;

/// <summary>A stored response without its bytes, as lists and the results show it.</summary>
public sealed record ResponseSummary(
    Guid Id, Guid? ConsultationId, string TrackingNumber, ResponseChannel Channel, Instant ReceivedAt, string Sha256,
    string Text, string Subject, string RespondentName, string RespondentOrganisation, StakeholderCategory RespondentCategory,
    string RespondentCountryCode, string RespondentEmail, bool Late, bool Published, IReadOnlyList<string> Problems,
    IReadOnlyList<AttachmentSummary> Attachments, string? PublishedSha256 = null, long? LogIndex = null, long ReceivedSize = 0, string EnvelopeRecipient = "",
    DkimResult DkimResult = DkimResult.NotChecked, string DkimDomain = "");

public sealed record AttachmentSummary(int Index, string FileName, string MediaType, long Size, string Sha256);

/// <summary>A group of identical or near-identical texts (a campaign), named after its earliest tracking number.</summary>
public sealed record SimilarityGroup(string Id, IReadOnlyList<Guid> ResponseIds, bool Identical);

/// <summary>
/// The package the group examines (Council Resolution 1344): every published response in receipt
/// order, counted by category, country and channel under the names partners read, and the
/// campaigns found among them. Counting only: no response is hidden, merged or edited.
/// </summary>
public sealed class ExaminationPackage
{
    private readonly Dictionary<Guid, string> _groupOf = [];

    private ExaminationPackage(IReadOnlyList<ResponseSummary> responses, IReadOnlyList<SimilarityGroup> groups)
    {
        Responses = responses;
        Groups = groups;
        foreach (var group in groups)
        {
            foreach (var id in group.ResponseIds)
            {
                _groupOf[id] = group.Id;
            }
        }
    }

    /// <summary>The published responses, in receipt order.</summary>
    public IReadOnlyList<ResponseSummary> Responses { get; }

    public IReadOnlyList<SimilarityGroup> Groups { get; }

    /// <summary>Counts by category name (CIVIL_SOCIETY…), largest first.</summary>
    public IReadOnlyList<(string Key, int Count)> ByCategory => CountBy(r => r.RespondentCategory.Name());

    /// <summary>Counts by country code; "unknown" for respondents who gave none.</summary>
    public IReadOnlyList<(string Key, int Count)> ByCountry => CountBy(r => r.RespondentCountryCode.Length == 0 ? "unknown" : r.RespondentCountryCode);

    /// <summary>Counts by channel name (WEB, EMAIL, MAILING_LIST).</summary>
    public IReadOnlyList<(string Key, int Count)> ByChannel => CountBy(r => r.Channel.Name());

    public static ExaminationPackage Of(IReadOnlyList<ResponseSummary> published)
    {
        var tracking = published.ToDictionary(r => r.Id, r => r.TrackingNumber);
        var groups = new CampaignDetector().FindGroups(published.Select(r => (r.Id, r.Text)))
            // Named after the earliest tracking number, so the id stays while the group grows.
            .Select(g => new SimilarityGroup("sg-" + g.ResponseIds.Select(id => tracking[id]).Min(StringComparer.Ordinal), g.ResponseIds, g.Identical))
            .ToList();
        return new ExaminationPackage(published, groups);
    }

    /// <summary>The similarity group of a response, or "" when its text is its own.</summary>
    public string GroupOf(Guid responseId) => _groupOf.GetValueOrDefault(responseId, "");

    private List<(string Key, int Count)> CountBy(Func<ResponseSummary, string> key) =>
        Responses.GroupBy(key).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count())).ToList();
}
