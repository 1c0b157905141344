namespace Wsis.Consultations.Model;

/// <summary>
/// The names partners read for the model's enums: the value names of consultations.v1, in every
/// message, results key, event and error ("the consultation is OPEN", "CIVIL_SOCIETY"), never
/// the C# spelling. A test checks them against the .proto descriptor.
/// </summary>
public static class ProtoNames
{
    public static string Name(this ConsultationState state) => state switch
    {
        ConsultationState.Open => "OPEN",
        ConsultationState.Closed => "CLOSED",
        ConsultationState.Examined => "EXAMINED",
        ConsultationState.ResultsPublished => "RESULTS_PUBLISHED",
        _ => "CONSULTATION_STATE_UNSPECIFIED",
    };

    public static string Name(this ResponseChannel channel) => channel switch
    {
        ResponseChannel.Web => "WEB",
        ResponseChannel.Email => "EMAIL",
        ResponseChannel.MailingList => "MAILING_LIST",
        _ => "CHANNEL_UNSPECIFIED",
    };

    public static string Name(this StakeholderCategory category) => category switch
    {
        StakeholderCategory.Government => "GOVERNMENT",
        StakeholderCategory.PrivateSector => "PRIVATE_SECTOR",
        StakeholderCategory.CivilSociety => "CIVIL_SOCIETY",
        StakeholderCategory.IntergovernmentalOrganization => "INTERGOVERNMENTAL_ORGANIZATION",
        StakeholderCategory.InternationalOrganization => "INTERNATIONAL_ORGANIZATION",
        StakeholderCategory.AcademicAndTechnical => "ACADEMIC_AND_TECHNICAL",
        StakeholderCategory.Individual => "INDIVIDUAL",
        _ => "RESPONDENT_CATEGORY_UNSPECIFIED",
    };

    public static string Name(this DkimResult result) => result switch
    {
        DkimResult.None => "DKIM_NONE",
        DkimResult.Pass => "DKIM_PASS",
        DkimResult.Fail => "DKIM_FAIL",
        DkimResult.TempError => "DKIM_TEMPERROR",
        _ => "DKIM_RESULT_UNSPECIFIED",
    };
}
