using NodaTime;
using Wsis.Teams.Model;

namespace Wsis.Teams.Tests.Model;

public class TeamMembershipTests
{
    [Fact]
    public void Only_the_secretariat_creates_teams()
    {
        var s = Given.Stakeholder();
        Given.Refused(DomainErrorKind.PermissionDenied, () => Team.Create(ActionLine.ForTeam("C1"), Given.StakeholderActor(s), Given.Now));
        var team = Team.Create(ActionLine.ForTeam("c9"), Given.Secretariat, Given.Now);
        Assert.Equal("C9", team.ActionLineCode);
    }

    [Fact]
    public void A_stakeholder_joins_and_leaves_for_itself_and_both_are_recorded_with_time_and_actor()
    {
        var team = Given.Team();
        var s = Given.Stakeholder("ISOC", StakeholderCategory.CivilSociety, "US");
        var me = Given.StakeholderActor(s);

        team.Join(s, me, Given.Now);
        Assert.True(team.IsMember(s.Id));
        team.Leave(s.Id, me, Given.Now.Plus(Duration.FromDays(3)));
        team.Join(s, Given.Secretariat, Given.Now.Plus(Duration.FromDays(5)));

        Assert.Equal(2, team.Memberships.Count);
        var first = team.Memberships[0];
        Assert.Equal((Given.Now, me.Subject, Given.Now.Plus(Duration.FromDays(3)), me.Subject), (first.JoinedAt, first.JoinedBy, first.LeftAt!.Value, first.LeftBy));
        Assert.Equal("sec-1", team.Memberships[1].JoinedBy);
        Assert.Single(team.CurrentMembers);
    }

    [Fact]
    public void A_stakeholder_cannot_join_or_leave_for_another_one()
    {
        var team = Given.Team();
        var a = Given.Stakeholder("A", StakeholderCategory.PrivateSector, "DE");
        var b = Given.Stakeholder("B", StakeholderCategory.PrivateSector, "DE");
        var error = Given.Refused(DomainErrorKind.PermissionDenied, () => team.Join(b, Given.StakeholderActor(a), Given.Now));
        Assert.Contains("only for itself", error.Message);
        team.Join(b, Given.StakeholderActor(b), Given.Now);
        Given.Refused(DomainErrorKind.PermissionDenied, () => team.Leave(b.Id, Given.StakeholderActor(a), Given.Now));
        Assert.True(team.IsMember(b.Id));
    }

    [Fact]
    public void Joining_twice_is_already_exists_and_leaving_without_membership_is_failed_precondition()
    {
        var team = Given.Team();
        var s = Given.Stakeholder();
        team.Join(s, Given.Secretariat, Given.Now);
        Given.Refused(DomainErrorKind.AlreadyExists, () => team.Join(s, Given.Secretariat, Given.Now));
        team.Leave(s.Id, Given.Secretariat, Given.Now);
        Given.Refused(DomainErrorKind.FailedPrecondition, () => team.Leave(s.Id, Given.Secretariat, Given.Now));
    }
}
