using NodaTime;
using Wsis.Teams.Model;

namespace Wsis.Teams.Tests.Model;

public class ModalitiesAndMeetingsTests
{
    private readonly Stakeholder _coordinator = Given.Stakeholder("FAO", country: "IT");
    private readonly Team _team;

    public ModalitiesAndMeetingsTests() => _team = Given.TeamCoordinatedBy(_coordinator, "C7.E-AGRICULTURE");

    [Fact]
    public void Modalities_are_versioned_and_every_version_kept()
    {
        var me = Given.CoordinatorActor(_coordinator);
        _team.SetCoordinationModalities("Monthly calls; consensus.", me, Given.Now);
        _team.SetCoordinationModalities("Quarterly calls; consensus.", Given.Secretariat, Given.Now.Plus(Duration.FromDays(30)));

        Assert.Equal([1, 2], _team.Modalities.Select(m => m.Version));
        Assert.Equal("Quarterly calls; consensus.", _team.CurrentModalities!.Text);
        Assert.Equal("Monthly calls; consensus.", _team.Modalities[0].Text);
        Assert.Equal(me.Subject, _team.Modalities[0].SetBy);
    }

    [Fact]
    public void Only_the_designated_coordinator_or_the_secretariat_sets_modalities_and_schedules_meetings()
    {
        var other = Given.Stakeholder("WHO", country: "CH");
        var error = Given.Refused(DomainErrorKind.PermissionDenied, () => _team.SetCoordinationModalities("x", Given.CoordinatorActor(other), Given.Now));
        Assert.Contains("designated coordinator", error.Message);
        // The coordinator organisation acting with a mere stakeholder token is not acting as coordinator.
        Given.Refused(DomainErrorKind.PermissionDenied, () => _team.SetCoordinationModalities("x", Given.StakeholderActor(_coordinator), Given.Now));
        Given.Refused(DomainErrorKind.PermissionDenied, () => _team.ScheduleMeeting("t", Given.Now.Plus(Duration.FromDays(1)), Given.Now.Plus(Duration.FromDays(2)), "Rome", null, Given.CoordinatorActor(other), Given.Now));
        Given.Refused(DomainErrorKind.InvalidArgument, () => _team.SetCoordinationModalities(" ", Given.Secretariat, Given.Now));
        Assert.Empty(_team.Modalities);
    }

    [Fact]
    public void A_team_without_coordinator_has_its_modalities_set_only_by_the_secretariat()
    {
        var team = Given.Team("C5");
        Given.Refused(DomainErrorKind.PermissionDenied, () => team.SetCoordinationModalities("x", Given.CoordinatorActor(_coordinator), Given.Now));
        Assert.Equal(1, team.SetCoordinationModalities("x", Given.Secretariat, Given.Now).Version);
    }

    [Fact]
    public void A_meeting_is_open_to_any_stakeholder_once_each()
    {
        var meeting = _team.ScheduleMeeting("Annual meeting", Given.Now.Plus(Duration.FromDays(10)), Given.Now.Plus(Duration.FromDays(10)).Plus(Duration.FromHours(3)), "https://meet.example/agri", "1. Review", Given.CoordinatorActor(_coordinator), Given.Now);
        Assert.Equal(_team.Id, meeting.TeamId);
        var outsider = Given.Stakeholder("Farmers Union", StakeholderCategory.CivilSociety, "KE");
        Assert.False(_team.IsMember(outsider.Id));

        meeting.Register(outsider, Given.StakeholderActor(outsider), Given.Now);
        Given.Refused(DomainErrorKind.AlreadyExists, () => meeting.Register(outsider, Given.StakeholderActor(outsider), Given.Now));
        var someone = Given.Stakeholder("Someone", StakeholderCategory.PrivateSector, "KE");
        Given.Refused(DomainErrorKind.PermissionDenied, () => meeting.Register(someone, Given.StakeholderActor(outsider), Given.Now));
        Given.Refused(DomainErrorKind.FailedPrecondition, () => meeting.Register(someone, Given.Secretariat, Given.Now.Plus(Duration.FromDays(11))));
        Assert.Single(meeting.Registrations);
    }

    [Theory]
    [InlineData("", 1, 2, "Rome", "title is required")]
    [InlineData("t", -1, 2, "Rome", "starts_at must be in the future")]
    [InlineData("t", 2, 1, "Rome", "ends_at must be after starts_at")]
    [InlineData("t", 1, 2, "", "venue_or_link is required")]
    public void Meeting_input_is_checked_naming_the_field(string title, int startDay, int endDay, string venue, string expected)
    {
        var error = Given.Refused(DomainErrorKind.InvalidArgument, () => _team.ScheduleMeeting(title, Given.Now.Plus(Duration.FromDays(startDay)), Given.Now.Plus(Duration.FromDays(endDay)), venue, null, Given.Secretariat, Given.Now));
        Assert.Equal(expected, error.Message);
    }
}
