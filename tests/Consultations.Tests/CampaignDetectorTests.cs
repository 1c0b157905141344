using Wsis.Consultations.Model;
using Xunit;

namespace Wsis.Consultations.Tests;

public class CampaignDetectorTests
{
    private const string FormLetter =
        "I urge the Council Working Group to protect an open, interoperable and affordable Internet. " +
        "International connectivity costs keep developing countries offline, and the group should " +
        "recommend cooperation on regional Internet exchange points, submarine cable landing access " +
        "and transparent transit pricing. Please publish this response and consider it at your meeting.";

    private static readonly CampaignDetector Detector = new();

    [Fact]
    public void Identical_texts_differing_only_in_case_punctuation_accents_and_spacing_form_one_identical_group()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var c = Guid.NewGuid();
        var groups = Detector.FindGroups([
            (a, "Protect the open Internet! Café."),
            (b, "protect   the OPEN internet\r\ncafe"),
            (c, "Protect the open Internet, café"),
            (Guid.NewGuid(), "Something else entirely."),
        ]);

        var group = Assert.Single(groups);
        Assert.True(group.Identical);
        Assert.Equal([a, b, c], group.ResponseIds);
    }

    [Fact]
    public void A_form_letter_signed_by_different_people_with_a_sentence_added_is_one_near_identical_group()
    {
        var campaign = Enumerable.Range(0, 40)
            .Select(i => (Id: Guid.NewGuid(), Text: $"Dear Secretariat,\n\n{FormLetter}\n\n{(i % 3 == 0 ? "I work in a rural school. " : "")}Sincerely,\nPerson {i}"))
            .ToList();
        var independent = new[]
        {
            (Guid.NewGuid(), "Our organisation answers question 1 with data from twelve national regulators on transit prices."),
            (Guid.NewGuid(), "The chapter considers that capacity building is the first barrier, ahead of prices."),
        };

        var groups = Detector.FindGroups(campaign.Concat(independent));

        var group = Assert.Single(groups);
        Assert.False(group.Identical);
        Assert.Equal(campaign.Select(c => c.Id).Order(), group.ResponseIds.Order());
    }

    [Fact]
    public void Texts_that_share_a_topic_but_not_their_wording_are_not_grouped()
    {
        var groups = Detector.FindGroups([
            (Guid.NewGuid(), "International connectivity costs keep developing countries offline; we recommend regional exchange points."),
            (Guid.NewGuid(), "Regional exchange points alone will not lower costs; developing countries need competition in transit markets."),
        ]);

        Assert.Empty(groups);
    }

    [Fact]
    public void Quoted_reply_lines_are_ignored_and_empty_texts_are_not_grouped()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var groups = Detector.FindGroups([
            (a, "> the consultation question, quoted\nMy answer is yes."),
            (b, "My answer is yes."),
            (Guid.NewGuid(), ""),
            (Guid.NewGuid(), " ... "),
        ]);

        var group = Assert.Single(groups);
        Assert.Equal([a, b], group.ResponseIds);
    }

    [Fact]
    public void Thousands_of_campaign_variants_are_grouped_without_comparing_every_pair()
    {
        var ids = new List<Guid>();
        var input = new List<(Guid, string)>();
        for (var i = 0; i < 5000; i++)
        {
            var id = Guid.NewGuid();
            ids.Add(id);
            input.Add((id, $"{FormLetter} Signed, supporter number {i} from town {i * 7 % 101}."));
        }

        var groups = Detector.FindGroups(input);

        Assert.Equal(5000, Assert.Single(groups).Count);
    }

    [Fact]
    public void Normalisation_is_what_is_compared()
    {
        Assert.Equal("zurich 2027 reponse n 5", CampaignDetector.Normalise("Zürich—2027: RÉPONSE n° 5!"));
    }
}
