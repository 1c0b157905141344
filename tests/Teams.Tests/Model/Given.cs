using NodaTime;
using Wsis.Teams.Model;

namespace Wsis.Teams.Tests.Model;

/// <summary>Ready-made actors, stakeholders and teams for the domain tests.</summary>
internal static class Given
{
    public static readonly Instant Now = Instant.FromUtc(2026, 11, 22, 9, 0);

    public static readonly Actor Secretariat = Actor.Create("sec-1", [Role.Secretariat]);

    public static Actor StakeholderActor(Stakeholder s) => Actor.Create("user-" + s.Name, [Role.Stakeholder], s.Id);
    public static Actor CoordinatorActor(Stakeholder s) => Actor.Create("coord-" + s.Name, [Role.Coordinator], s.Id);

    public static Stakeholder Stakeholder(string name = "UNESCO", StakeholderCategory category = StakeholderCategory.IntergovernmentalOrganization, string country = "FR") =>
        Wsis.Teams.Model.Stakeholder.Register(name, category, country, $"{name.ToLowerInvariant().Replace(' ', '-')}@example.org", Secretariat, Now);

    public static Team Team(string code = "C3") => Wsis.Teams.Model.Team.Create(ActionLine.ForTeam(code), Secretariat, Now);

    /// <summary>A team whose coordinator went through all three steps.</summary>
    public static Team TeamCoordinatedBy(Stakeholder coordinator, string code = "C3")
    {
        var team = Team(code);
        team.NominateCoordinator(coordinator, Secretariat, Now);
        team.RecordRecommendation(coordinator.Id, "WSIS stakeholder meeting 2026-01", Secretariat, Now);
        team.RecordDesignation(coordinator.Id, "UN SG letter 2026/17", Secretariat, Now);
        return team;
    }

    public static DomainException Refused(DomainErrorKind kind, Action action)
    {
        var error = Assert.Throws<DomainException>(action);
        Assert.Equal(kind, error.Kind);
        return error;
    }
}
