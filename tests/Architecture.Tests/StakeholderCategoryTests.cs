using Platform.Domain;
using Wsis.Reporting.IntegrationEvents;
using Xunit;
using ConsultationsProto = Wsis.Consultations.V1;
using TeamsProto = Wsis.Teams.V1;

namespace Architecture.Tests;

/// <summary>
/// One stakeholder category (Platform.Domain) for the three models, and the proto enums each service's
/// gRPC mapping converts it to and from: same members, same numbers (Teams and Consultations store
/// the number), same names (Reporting stores the name and reads it from events).
/// </summary>
public sealed class StakeholderCategoryTests
{
    private static IEnumerable<(string Name, int Number)> Members<TEnum>()
        where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Select(v => (v.ToString(), Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Consultations_respondent_categories_are_the_domain_s_categories_with_the_same_numbers()
    {
        Assert.Equal(Members<StakeholderCategory>(), Members<ConsultationsProto.RespondentCategory>());
    }

    [Fact]
    public void Teams_stakeholder_categories_are_the_domain_s_organisation_categories_with_the_same_numbers()
    {
        // The register holds organisations: teams.v1 has every category but INDIVIDUAL.
        var organisations = Members<StakeholderCategory>().Where(m => m.Name != nameof(StakeholderCategory.Individual));
        Assert.Equal(organisations, Members<TeamsProto.StakeholderCategory>());
        Assert.Equal(Enum.GetValues<StakeholderCategory>().Where(c => c.IsOrganisation()).Select(c => c.ToString()),
            organisations.Where(m => m.Number != 0).Select(m => m.Name));
    }

    [Fact]
    public void Reporting_reads_every_category_name_the_events_carry_as_the_same_domain_category()
    {
        // Events carry the protos' value names (CIVIL_SOCIETY); Reporting stores the domain member's name.
        foreach (var descriptor in ConsultationsProto.ConsultationsReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.EnumDescriptor>("RespondentCategory").Values.Where(v => v.Number != 0))
        {
            Assert.Equal((StakeholderCategory)descriptor.Number, EventTranslation.Category(descriptor.Name));
        }

        foreach (var descriptor in TeamsProto.TeamsReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.EnumDescriptor>("StakeholderCategory").Values)
        {
            Assert.Equal((StakeholderCategory)descriptor.Number, EventTranslation.Category(descriptor.Name));
        }
    }
}
