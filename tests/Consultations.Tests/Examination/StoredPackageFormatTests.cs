using Platform.Domain;
using Wsis.Consultations.Examination;
using Wsis.Consultations.Model;
using Xunit;

namespace Wsis.Consultations.Tests.Examination;

public class StoredPackageFormatTests
{
    private const string Letter = "We ask the group to protect an open, interoperable and affordable Internet for everyone, everywhere, and to publish this.";

    private static ExaminationPackage Package()
    {
        var builder = new ExaminationPackage.Builder();
        builder.Add(new ResponseFacts(Guid.CreateVersion7(), "CWG-27-K", ResponseChannel.Web, StakeholderCategory.CivilSociety, "SN", Letter + " Signed, supporter 1."));
        builder.Add(new ResponseFacts(Guid.CreateVersion7(), "CWG-27-C", ResponseChannel.MailingList, StakeholderCategory.CivilSociety, "SN", Letter + " Signed, supporter 2."));
        builder.Add(new ResponseFacts(Guid.CreateVersion7(), "CWG-27-É", ResponseChannel.Email, StakeholderCategory.Government, "", "Réponse indépendante sur les points d'échange."));
        builder.Add(new ResponseFacts(Guid.CreateVersion7(), "CWG-27-D", ResponseChannel.Email, StakeholderCategory.Government, "GH", Letter));
        return builder.Build();
    }

    [Fact]
    public void A_stored_package_reads_back_with_the_same_counts_groups_and_members_in_their_order()
    {
        var package = Package();

        var read = StoredPackageFormat.Read(StoredPackageFormat.Version, StoredPackageFormat.Write(package));

        Assert.Equal(4, read.Total);
        Assert.Equal(package.ByCategory, read.ByCategory);
        Assert.Equal(package.ByCountry, read.ByCountry);
        Assert.Equal(package.ByChannel, read.ByChannel);
        var group = Assert.Single(read.Groups);
        Assert.Equal(package.Groups[0].Id, group.Id);
        Assert.Equal(package.Groups[0].Identical, group.Identical);
        Assert.Equal(package.Groups[0].ResponseIds, group.ResponseIds);
        Assert.All(group.ResponseIds, id => Assert.Equal(group.Id, read.GroupOf(id)));
    }

    [Fact]
    public void Stored_bytes_of_another_format_cut_short_or_with_bytes_after_the_last_group_are_refused_naming_the_problem()
    {
        var bytes = StoredPackageFormat.Write(Package());

        Assert.Contains("format 2 is not 1", Assert.Throws<InvalidDataException>(() => StoredPackageFormat.Read(2, bytes)).Message);
        Assert.Contains("ends before", Assert.Throws<InvalidDataException>(() => StoredPackageFormat.Read(1, bytes[..^5])).Message);
        Assert.Contains("bytes after", Assert.Throws<InvalidDataException>(() => StoredPackageFormat.Read(1, [.. bytes, 0])).Message);
        Assert.Contains("list of -1 items", Assert.Throws<InvalidDataException>(() => StoredPackageFormat.Read(1, [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])).Message);
    }
}
