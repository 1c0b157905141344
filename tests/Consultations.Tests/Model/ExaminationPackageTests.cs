using NodaTime;
using Platform.Domain;
using Wsis.Consultations.Model;
using Xunit;

namespace Wsis.Consultations.Tests.Model;

public class ExaminationPackageTests
{
    private static ResponseSummary Summary(string tracking, string text, StakeholderCategory category, string country, ResponseChannel channel) =>
        new(Guid.CreateVersion7(), Guid.Empty, tracking, channel, Given.January10, new string('0', 64), text, "", "n", "o", category, country, "", false, true, [], []);

    [Fact]
    public void Counts_name_categories_and_channels_as_partners_read_them_and_countries_by_code()
    {
        const string letter = "We ask the group to protect an open, interoperable and affordable Internet for everyone, everywhere.";
        var package = ExaminationPackage.Of(
        [
            Summary("CWG-27-A", letter + " One.", StakeholderCategory.CivilSociety, "SN", ResponseChannel.Web),
            Summary("CWG-27-B", letter + " Two.", StakeholderCategory.CivilSociety, "SN", ResponseChannel.MailingList),
            Summary("CWG-27-C", "An independent answer about transit prices.", StakeholderCategory.Government, "", ResponseChannel.Email),
        ]);

        Assert.Equal([("CIVIL_SOCIETY", 2), ("GOVERNMENT", 1)], package.ByCategory);
        Assert.Equal([("SN", 2), ("unknown", 1)], package.ByCountry);
        Assert.Equal([("EMAIL", 1), ("MAILING_LIST", 1), ("WEB", 1)], package.ByChannel);
    }

    [Fact]
    public void A_campaign_is_one_group_named_after_its_earliest_tracking_number_and_its_members_point_to_it()
    {
        const string letter = "We ask the group to protect an open, interoperable and affordable Internet for everyone, everywhere, and to publish this.";
        var responses = new[]
        {
            Summary("CWG-27-K", letter + " Signed, supporter 1.", StakeholderCategory.CivilSociety, "SN", ResponseChannel.Web),
            Summary("CWG-27-C", letter + " Signed, supporter 2.", StakeholderCategory.CivilSociety, "SN", ResponseChannel.Web),
            Summary("CWG-27-X", "An independent answer about exchange points and transit prices in West Africa.", StakeholderCategory.Government, "GH", ResponseChannel.Web),
        };

        var package = ExaminationPackage.Of(responses);

        var group = Assert.Single(package.Groups);
        Assert.Equal("sg-CWG-27-C", group.Id);
        Assert.Equal(group.Id, package.GroupOf(responses[0].Id));
        Assert.Equal(group.Id, package.GroupOf(responses[1].Id));
        Assert.Equal("", package.GroupOf(responses[2].Id));
    }
}
