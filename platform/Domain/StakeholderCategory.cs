namespace Platform.Domain;

/// <summary>
/// The WSIS stakeholder categories: those of the organisations in Teams' register, of the
/// consultations' respondents and of Reporting's figures. The numbers are those of
/// <c>teams.v1.StakeholderCategory</c> and <c>consultations.v1.RespondentCategory</c> (each service's
/// gRPC mapping converts to and from its own proto enum; a test checks that they agree), and they are
/// stored: Teams and Consultations keep the number, Reporting the member's name. Neither is ever
/// renumbered nor renamed.
/// </summary>
public enum StakeholderCategory
{
    Unspecified = 0,
    Government = 1,
    PrivateSector = 2,
    CivilSociety = 3,
    IntergovernmentalOrganization = 4,
    InternationalOrganization = 5,
    AcademicAndTechnical = 6,

    /// <summary>A respondent answering for themselves: consultations only, never an organisation in the register.</summary>
    Individual = 7,
}

public static class StakeholderCategories
{
    /// <summary>The categories of organisations (all but <see cref="StakeholderCategory.Unspecified"/> and <see cref="StakeholderCategory.Individual"/>): what Teams' register holds.</summary>
    public static bool IsOrganisation(this StakeholderCategory category) =>
        category is >= StakeholderCategory.Government and <= StakeholderCategory.AcademicAndTechnical;

    /// <summary>A category a respondent may choose: any but <see cref="StakeholderCategory.Unspecified"/>.</summary>
    public static bool IsChosen(this StakeholderCategory category) =>
        category is >= StakeholderCategory.Government and <= StakeholderCategory.Individual;
}
