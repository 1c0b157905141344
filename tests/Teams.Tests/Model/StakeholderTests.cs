using Wsis.Teams.Model;

namespace Wsis.Teams.Tests.Model;

public class StakeholderTests
{
    private static readonly Actor Anyone = Actor.Create("someone", [Role.Stakeholder]);

    [Fact]
    public void Register_keeps_the_details_normalised_and_who_registered()
    {
        var s = Stakeholder.Register("  Internet Society ", StakeholderCategory.CivilSociety, "ch", "info@isoc.example", Anyone, Given.Now);
        Assert.Equal("Internet Society", s.Name);
        Assert.Equal("CH", s.CountryCode);
        Assert.Equal(StakeholderCategory.CivilSociety, s.Category);
        Assert.Equal("someone", s.RegisteredBy);
        Assert.Equal(Given.Now, s.RegisteredAt);
        Assert.NotEqual(Guid.Empty, s.Id);
    }

    [Theory]
    [InlineData("", "CH", "a@b.org", "name")]
    [InlineData("X", "ZZ", "a@b.org", "country_code")]
    [InlineData("X", "CHE", "a@b.org", "country_code")]
    [InlineData("X", "", "a@b.org", "country_code")]
    [InlineData("X", "CH", "not-an-address", "contact_email")]
    [InlineData("X", "CH", "", "contact_email")]
    public void Bad_input_is_refused_naming_the_field(string name, string country, string email, string field)
    {
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => Stakeholder.Register(name, StakeholderCategory.Government, country, email, Anyone, Given.Now));
        Assert.StartsWith(field, error.Message);
    }

    [Fact]
    public void Category_must_be_one_of_the_six()
    {
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => Stakeholder.Register("X", 0, "CH", "a@b.org", Anyone, Given.Now));
        Assert.Contains("category", error.Message);
    }

    [Fact]
    public void An_individual_is_not_an_organisation_the_register_holds()
    {
        // The platform's category has Individual for consultation respondents; teams.v1 has no such value.
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => Stakeholder.Register("X", StakeholderCategory.Individual, "CH", "a@b.org", Anyone, Given.Now));
        Assert.StartsWith("category is required", error.Message);
    }

    [Fact]
    public void Over_long_names_are_refused()
    {
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => Stakeholder.Register(new string('a', 301), StakeholderCategory.Government, "CH", "a@b.org", Anyone, Given.Now));
        Assert.Equal("name is longer than 300 characters", error.Message);
    }
}
