using Platform.Domain;
using Wsis.Consultations.Model;
using Xunit;

namespace Wsis.Consultations.Tests.Model;

/// <summary>The model's enums and the names partners read must match consultations.v1, value for value.</summary>
public class ProtoNamesTests
{
    private static string ProtoName(string enumName, int number) =>
        V1.ConsultationsReflection.Descriptor.EnumTypes.Single(e => e.Name == enumName).FindValueByNumber(number).Name;

    [Fact]
    public void Every_state_channel_and_category_is_named_and_numbered_as_in_the_proto()
    {
        Assert.All(Enum.GetValues<ConsultationState>(), s => Assert.Equal(ProtoName("ConsultationState", (int)s), s.Name()));
        Assert.All(Enum.GetValues<ResponseChannel>(), c => Assert.Equal(ProtoName("Channel", (int)c), c.Name()));
        Assert.All(Enum.GetValues<StakeholderCategory>(), c => Assert.Equal(ProtoName("RespondentCategory", (int)c), c.Name()));
        Assert.All(Enum.GetValues<DkimResult>(), r => Assert.Equal(ProtoName("DkimResult", (int)r), r.Name()));
    }
}
