using NodaTime;
using Wsis.Teams.Model;

namespace Wsis.Teams.Tests.Model;

public class CoordinatorDesignationTests
{
    private readonly Team _team = Given.Team("C2");
    private readonly Stakeholder _itu = Given.Stakeholder("ITU", country: "CH");
    private readonly Stakeholder _unesco = Given.Stakeholder("UNESCO");

    [Fact]
    public void The_three_steps_in_order_designate_the_coordinator_and_keep_the_references()
    {
        _team.NominateCoordinator(_itu, Given.Secretariat, Given.Now);
        Assert.Equal(DesignationStage.Nominated, _team.DesignationState);
        _team.RecordRecommendation(_itu.Id, "WSIS Forum 2026 stakeholder meeting", Given.Secretariat, Given.Now.Plus(Duration.FromDays(1)));
        Assert.Equal(DesignationStage.Recommended, _team.DesignationState);
        var (designated, ended) = _team.RecordDesignation(_itu.Id, "SG/2026/42", Given.Secretariat, Given.Now.Plus(Duration.FromDays(2)));

        Assert.Null(ended);
        Assert.Same(designated, _team.DesignatedCoordinator);
        Assert.Equal(DesignationStage.Designated, _team.DesignationState);
        Assert.Equal(("WSIS Forum 2026 stakeholder meeting", "SG/2026/42"), (designated.MeetingReference, designated.DecisionReference));
        Assert.Equal(Given.Now.Plus(Duration.FromDays(2)), designated.DesignatedAt);
    }

    [Fact]
    public void Recommending_without_a_nomination_names_the_missing_nomination()
    {
        var error = Given.Refused(DomainErrorKind.FailedPrecondition, () => _team.RecordRecommendation(_itu.Id, "meeting", Given.Secretariat, Given.Now));
        Assert.StartsWith("nomination missing", error.Message);
    }

    [Fact]
    public void Designating_without_a_recommendation_names_the_missing_recommendation()
    {
        _team.NominateCoordinator(_itu, Given.Secretariat, Given.Now);
        var error = Given.Refused(DomainErrorKind.FailedPrecondition, () => _team.RecordDesignation(_itu.Id, "SG/1", Given.Secretariat, Given.Now));
        Assert.StartsWith("recommendation missing", error.Message);
        Assert.Contains("ITU Secretary-General", error.Message);
        Assert.Null(_team.DesignatedCoordinator);
    }

    [Fact]
    public void Designating_someone_never_nominated_names_the_missing_nomination()
    {
        var error = Given.Refused(DomainErrorKind.FailedPrecondition, () => _team.RecordDesignation(_unesco.Id, "SG/1", Given.Secretariat, Given.Now));
        Assert.StartsWith("nomination missing", error.Message);
    }

    [Fact]
    public void A_new_designation_ends_the_previous_one_and_the_history_is_kept()
    {
        _team.NominateCoordinator(_itu, Given.Secretariat, Given.Now);
        _team.RecordRecommendation(_itu.Id, "m1", Given.Secretariat, Given.Now);
        var (first, _) = _team.RecordDesignation(_itu.Id, "d1", Given.Secretariat, Given.Now);

        _team.NominateCoordinator(_unesco, Given.Secretariat, Given.Now.Plus(Duration.FromDays(365)));
        Assert.Same(first, _team.DesignatedCoordinator); // still in office while the next one is under way
        _team.RecordRecommendation(_unesco.Id, "m2", Given.Secretariat, Given.Now.Plus(Duration.FromDays(365)));
        var (second, ended) = _team.RecordDesignation(_unesco.Id, "d2", Given.Secretariat, Given.Now.Plus(Duration.FromDays(365)));

        Assert.Same(first, ended);
        Assert.Equal(DesignationStage.Ended, first.Stage);
        Assert.Equal(second.Id, first.SupersededBy);
        Assert.Equal(Given.Now.Plus(Duration.FromDays(365)), first.EndedAt);
        Assert.Same(second, _team.DesignatedCoordinator);
        Assert.Single(_team.Designations, d => d.Stage == DesignationStage.Designated);
        Assert.Equal(2, _team.Designations.Count);
    }

    [Fact]
    public void Steps_are_for_the_secretariat_only_and_references_are_required()
    {
        var coordinator = Given.CoordinatorActor(_itu);
        Given.Refused(DomainErrorKind.PermissionDenied, () => _team.NominateCoordinator(_itu, coordinator, Given.Now));
        _team.NominateCoordinator(_itu, Given.Secretariat, Given.Now);
        Given.Refused(DomainErrorKind.AlreadyExists, () => _team.NominateCoordinator(_itu, Given.Secretariat, Given.Now));
        Given.Refused(DomainErrorKind.PermissionDenied, () => _team.RecordRecommendation(_itu.Id, "m", coordinator, Given.Now));
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => _team.RecordRecommendation(_itu.Id, " ", Given.Secretariat, Given.Now));
        Assert.Equal("meeting_reference is required", error.Message);
        _team.RecordRecommendation(_itu.Id, "m", Given.Secretariat, Given.Now);
        Given.Refused(DomainErrorKind.AlreadyExists, () => _team.RecordRecommendation(_itu.Id, "m", Given.Secretariat, Given.Now));
        error = Given.Refused(DomainErrorKind.InvalidArgument, () => _team.RecordDesignation(_itu.Id, "", Given.Secretariat, Given.Now));
        Assert.Equal("decision_reference is required", error.Message);
    }
}
