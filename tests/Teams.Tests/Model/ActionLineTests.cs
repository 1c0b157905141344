using Wsis.Teams.Model;

namespace Wsis.Teams.Tests.Model;

public class ActionLineTests
{
    [Fact]
    public void Catalogue_holds_C1_to_C11_and_the_eight_C7_sub_lines_with_their_official_titles()
    {
        var codes = ActionLine.Catalogue.Select(l => l.Code).ToList();
        Assert.Equal(19, codes.Count);
        Assert.Equal(codes.Count, codes.Distinct().Count());
        for (var i = 1; i <= 11; i++) Assert.Contains($"C{i}", codes);
        Assert.Equal(8, ActionLine.Catalogue.Count(l => l.ParentCode == "C7"));
        Assert.Equal("The role of public governance authorities and all stakeholders in the promotion of ICTs for development", ActionLine.Find("C1")!.Title);
        Assert.Equal("Cultural diversity and identity, linguistic diversity and local content", ActionLine.Find("C8")!.Title);
        Assert.Equal("E-health", ActionLine.Find("c7.e-health")!.Title);
        Assert.Equal(Enumerable.Range(1, 19), ActionLine.Catalogue.Select(l => l.Order));
    }

    [Fact]
    public void Teams_exist_for_every_line_but_C7_itself()
    {
        Assert.Equal(18, ActionLine.Catalogue.Count(l => l.HasTeam));
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => ActionLine.ForTeam("C7"));
        Assert.Contains("C7.E-GOVERNMENT", error.Message);
    }

    [Theory]
    [InlineData("", "action_line_code is required")]
    [InlineData("C12", "is not a WSIS action line")]
    public void Unknown_or_missing_codes_name_the_field(string code, string expected)
    {
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => ActionLine.ForTeam(code));
        Assert.Contains(expected, error.Message);
        Assert.Contains("action_line_code", error.Message);
    }
}
