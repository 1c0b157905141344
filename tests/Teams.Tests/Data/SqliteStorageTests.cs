using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Wsis.Teams.Data;
using Wsis.Teams.Model;
using Wsis.Teams.Tests.Model;

namespace Wsis.Teams.Tests.Data;

/// <summary>The generated SQLite migrations and the mapping, on the embedded mode's database.</summary>
public sealed class SqliteStorageTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public SqliteStorageTests()
    {
        _connection.Open();
        using var db = NewContext();
        db.Database.Migrate();
    }

    public void Dispose() => _connection.Dispose();

    private SqliteTeamsDbContext NewContext() => new(new DbContextOptionsBuilder<SqliteTeamsDbContext>()
        .UseSqlite(_connection)
        .Options);

    [Fact]
    public void Migration_seeds_every_action_line_with_its_title()
    {
        using var db = NewContext();
        var lines = db.ActionLines.OrderBy(l => l.Order).ToList();
        Assert.Equal(ActionLine.Catalogue, lines);
    }

    [Fact]
    public void A_team_with_its_history_round_trips()
    {
        var coordinator = Given.Stakeholder("ITU", country: "CH");
        var member = Given.Stakeholder("ISOC", StakeholderCategory.CivilSociety, "US");
        var team = Given.TeamCoordinatedBy(coordinator, "C2");
        team.Join(member, Given.StakeholderActor(member), Given.Now);
        team.SetCoordinationModalities("Modalities", Given.Secretariat, Given.Now);
        var meeting = team.ScheduleMeeting("Kick-off", Given.Now.Plus(Duration.FromDays(1)), Given.Now.Plus(Duration.FromDays(2)), "Geneva", null, Given.Secretariat, Given.Now);
        meeting.Register(member, Given.StakeholderActor(member), Given.Now);
        using (var db = NewContext())
        {
            db.AddRange(coordinator, member, team, meeting);
            db.SaveChanges();
        }

        using (var db = NewContext())
        {
            var loaded = db.Teams.Include(t => t.Memberships).Include(t => t.Designations).Include(t => t.Modalities).Single(t => t.Id == team.Id);
            Assert.Equal(coordinator.Id, loaded.DesignatedCoordinator!.StakeholderId);
            Assert.Equal("UN SG letter 2026/17", loaded.DesignatedCoordinator.DecisionReference);
            Assert.Equal(Given.Now, loaded.Memberships.Single().JoinedAt);
            Assert.Equal("Modalities", loaded.CurrentModalities!.Text);
            Assert.Single(db.TeamMeetings.Include(m => m.Registrations).Single().Registrations);
        }
    }

    [Fact]
    public void The_database_refuses_a_second_team_for_a_line_and_a_second_open_membership()
    {
        using (var db = NewContext())
        {
            db.Add(Given.Team("C4"));
            db.SaveChanges();
            db.Add(Given.Team("C4"));
            Assert.Throws<DbUpdateException>(() => db.SaveChanges());
        }
    }

    [Fact]
    public void A_closed_election_and_procedures_round_trip()
    {
        var a = Given.Stakeholder("A", country: "CH");
        var b = Given.Stakeholder("B", country: "CH");
        var teamA = Given.TeamCoordinatedBy(a, "C1");
        var teamB = Given.TeamCoordinatedBy(b, "C5");
        var electorate = Electorate.Of([teamA, teamB]);
        var m = CoordinatorsMeeting.Convene(Given.Now.Plus(Duration.FromDays(5)), "Geneva", [(Funder.Itu, Money.Of(100, "CHF", "f")), (Funder.Unesco, Money.Of(200, "EUR", "f"))], 2, Given.Secretariat, Given.Now);
        m.NominateOfficer(Office.Chair, a.Id, electorate, Given.Secretariat, Given.Now);
        m.NominateOfficer(Office.ViceChair, b.Id, electorate, Given.Secretariat, Given.Now);
        m.CastVote(Office.Chair, [a.Id], electorate, Given.CoordinatorActor(b), Given.Now);
        m.CastVote(Office.ViceChair, [b.Id], electorate, Given.CoordinatorActor(a), Given.Now);
        m.CloseElection(Given.Secretariat, Given.Now);
        m.SetStocktakingProcedures(2027, Given.Now.Plus(Duration.FromDays(100)), ["title", "url"], Given.CoordinatorActor(a), Given.Now);
        using (var db = NewContext())
        {
            db.AddRange(a, b, teamA, teamB, m);
            db.SaveChanges();
        }

        using (var db = NewContext())
        {
            var loaded = db.CoordinatorsMeetings.Include(x => x.Funding).Include(x => x.Nominations).Include(x => x.Ballots).Include(x => x.StocktakingProcedures).Single();
            Assert.Equal(a.Id, loaded.ChairId);
            Assert.Equal([b.Id], loaded.ViceChairIds);
            Assert.Empty(loaded.ChairTieIds);
            Assert.Equal([a.Id], loaded.Ballots.Single(x => x.Office == Office.Chair).CandidateIds);
            Assert.Equal(["title", "url"], loaded.StocktakingProcedures.Single().RequiredFields);
            Assert.Equal(200, loaded.Funding.Single(f => f.Funder == Funder.Unesco).AmountMinor);
        }
    }
}
