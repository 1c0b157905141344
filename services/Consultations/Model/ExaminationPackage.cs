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

/// <summary>What the examination package needs of one published response.</summary>
public sealed record ResponseFacts(Guid Id, string TrackingNumber, ResponseChannel Channel, StakeholderCategory Category, string CountryCode, string Text);

/// <summary>
/// The figures of the package the group examines (Council Resolution 1344): the published
/// responses counted by category, country and channel under the names partners read, and the
/// campaigns found among them. Counting only: no response is hidden, merged or edited. The
/// responses themselves are read a page at a time beside it; the package keeps no text.
/// </summary>
public sealed class ExaminationPackage
{
    private readonly Dictionary<Guid, string> _groupOf = [];

    private ExaminationPackage(int total, IReadOnlyList<SimilarityGroup> groups,
        IReadOnlyList<(string Key, int Count)> byCategory, IReadOnlyList<(string Key, int Count)> byCountry, IReadOnlyList<(string Key, int Count)> byChannel)
    {
        Total = total;
        Groups = groups;
        ByCategory = byCategory;
        ByCountry = byCountry;
        ByChannel = byChannel;
        foreach (var group in groups)
        {
            foreach (var id in group.ResponseIds)
            {
                _groupOf[id] = group.Id;
            }
        }
    }

    /// <summary>How many published responses the figures are over.</summary>
    public int Total { get; }

    public IReadOnlyList<SimilarityGroup> Groups { get; }

    /// <summary>Counts by category name (CIVIL_SOCIETY…), largest first.</summary>
    public IReadOnlyList<(string Key, int Count)> ByCategory { get; }

    /// <summary>Counts by country code; "unknown" for respondents who gave none.</summary>
    public IReadOnlyList<(string Key, int Count)> ByCountry { get; }

    /// <summary>Counts by channel name (WEB, EMAIL, MAILING_LIST).</summary>
    public IReadOnlyList<(string Key, int Count)> ByChannel { get; }

    public static ExaminationPackage Of(IEnumerable<ResponseSummary> published)
    {
        var builder = new Builder();
        foreach (var r in published)
        {
            builder.Add(new ResponseFacts(r.Id, r.TrackingNumber, r.Channel, r.RespondentCategory, r.RespondentCountryCode, r.Text));
        }

        return builder.Build();
    }

    /// <summary>
    /// A package as it was built and kept (the service stores a closed consultation's package, see
    /// Examination/StoredPackageFormat.cs): the same figures, nothing recomputed.
    /// </summary>
    public static ExaminationPackage Restore(int total, IReadOnlyList<SimilarityGroup> groups,
        IReadOnlyList<(string Key, int Count)> byCategory, IReadOnlyList<(string Key, int Count)> byCountry, IReadOnlyList<(string Key, int Count)> byChannel) =>
        new(total, groups, byCategory, byCountry, byChannel);

    /// <summary>The similarity group of a response, or "" when its text is its own.</summary>
    public string GroupOf(Guid responseId) => _groupOf.GetValueOrDefault(responseId, "");

    /// <summary>Builds the package from the published responses given one at a time, in receipt order.</summary>
    public sealed class Builder
    {
        private readonly CampaignDetector.Run _campaigns = new CampaignDetector().Start();
        private readonly Dictionary<Guid, string> _tracking = [];
        private readonly Dictionary<string, int> _byCategory = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _byCountry = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _byChannel = new(StringComparer.Ordinal);
        private int _total;

        public void Add(ResponseFacts response)
        {
            _total++;
            _tracking[response.Id] = response.TrackingNumber;
            Count(_byCategory, response.Category.Name());
            Count(_byCountry, response.CountryCode.Length == 0 ? "unknown" : response.CountryCode);
            Count(_byChannel, response.Channel.Name());
            _campaigns.Add(response.Id, response.Text);
        }

        public ExaminationPackage Build()
        {
            var groups = _campaigns.Groups()
                // Named after the earliest tracking number, so the id stays while the group grows.
                .Select(g => new SimilarityGroup("sg-" + g.ResponseIds.Select(id => _tracking[id]).Min(StringComparer.Ordinal), g.ResponseIds, g.Identical))
                .ToList();
            return new ExaminationPackage(_total, groups, Ordered(_byCategory), Ordered(_byCountry), Ordered(_byChannel));
        }

        private static void Count(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

        private static List<(string Key, int Count)> Ordered(Dictionary<string, int> counts) =>
            [.. counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value))];
    }
}
