using System.Text.Json;
using NodaTime.Extensions;
using Platform.Domain;
using Wsis.Reporting.Model;
using Xunit;

namespace Wsis.Reporting.Tests;

public class ReadModelTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private const string Team = "team-c2";
    private const string Itu = "sh-itu";
    private const string Unesco = "sh-unesco";
    private const string Undp = "sh-undp";

    [Fact]
    public void A_later_designation_supersedes_an_earlier_one_whatever_the_arrival_order()
    {
        var first = new CoordinatorDesignation(Guid.NewGuid(), T0.ToInstant(), Team, Itu, "C2", "UNSG/2025/1");
        var second = new CoordinatorDesignation(Guid.NewGuid(), T0.AddMonths(3).ToInstant(), Team, Unesco, "C2", "UNSG/2025/7");

        var inOrder = new CoordinationRegister();
        inOrder.Apply(first);
        inOrder.Apply(second);

        var reversed = new CoordinationRegister();
        Assert.True(reversed.Apply(second));
        Assert.False(reversed.Apply(first)); // the older decision arrives late and changes nothing

        Assert.Equal(Unesco, inOrder.Find(Team)!.CoordinatorId);
        Assert.Equal(Unesco, reversed.Find(Team)!.CoordinatorId);
        Assert.Equal("UNSG/2025/7", reversed.Find(Team)!.DecisionReference);
        Assert.False(reversed.IsDesignatedCoordinator(Team, Itu));
    }

    [Fact]
    public void A_duplicated_designation_changes_nothing()
    {
        var register = new CoordinationRegister();
        var e = new CoordinatorDesignation(Guid.NewGuid(), T0.ToInstant(), Team, Itu, null, "ref");
        Assert.True(register.Apply(e));
        Assert.False(register.Apply(e));
        Assert.Equal(Itu, register.Find(Team)!.CoordinatorId);
    }

    [Fact]
    public void A_designation_arriving_before_the_team_is_kept_and_the_team_gets_its_action_line_later()
    {
        var register = new CoordinationRegister();
        register.Apply(new CoordinatorDesignation(Guid.NewGuid(), T0.AddDays(5).ToInstant(), Team, Itu, null, "ref"));
        Assert.Null(register.ForActionLine("C5"));
        register.Apply(new TeamCreation(Guid.NewGuid(), T0.ToInstant(), Team, "c5"));
        Assert.Equal(Itu, register.ForActionLine("C5")!.CoordinatorId);
        Assert.Equal("C5", register.Find(Team)!.ActionLineCode);
    }

    [Fact]
    public void Two_designations_at_the_same_instant_resolve_the_same_way_in_any_order()
    {
        var a = new CoordinatorDesignation(Guid.Parse("10000000-0000-0000-0000-000000000000"), T0.ToInstant(), Team, Itu, "C1", "a");
        var b = new CoordinatorDesignation(Guid.Parse("20000000-0000-0000-0000-000000000000"), T0.ToInstant(), Team, Undp, "C1", "b");
        var ab = new CoordinationRegister();
        ab.Apply(a); ab.Apply(b);
        var ba = new CoordinationRegister();
        ba.Apply(b); ba.Apply(a);
        Assert.Equal(ab.Find(Team)!.CoordinatorId, ba.Find(Team)!.CoordinatorId);
    }

    [Fact]
    public void The_officers_in_office_are_those_of_the_latest_meeting_even_if_its_convening_arrives_last()
    {
        var m2024 = "meeting-2024";
        var m2025 = "meeting-2025";
        var officers = new OfficerRegister();
        officers.Apply(new OfficerElection(Guid.NewGuid(), T0.AddYears(-1).AddDays(1).ToInstant(), m2024, Itu, [Unesco]));
        officers.Apply(new CoordinatorsMeetingConvening(Guid.NewGuid(), T0.AddYears(-1).AddMonths(-2).ToInstant(), m2024, T0.AddYears(-1).ToInstant()));
        officers.Apply(new OfficerElection(Guid.NewGuid(), T0.AddDays(1).ToInstant(), m2025, Undp, [Itu, Unesco]));
        Assert.Equal(m2025, officers.Current!.MeetingId);

        officers.Apply(new CoordinatorsMeetingConvening(Guid.NewGuid(), T0.AddMonths(-2).ToInstant(), m2025, T0.ToInstant()));
        Assert.Equal(Undp, officers.Current!.ChairId);
        Assert.Equal([Itu, Unesco], officers.Current.ViceChairIds);
        Assert.True(officers.IsOfficer(Itu));
        Assert.False(officers.IsOfficer("someone-else"));
    }

    [Fact]
    public void A_rerun_election_of_the_same_meeting_replaces_the_first_result_and_a_late_first_result_does_not_return()
    {
        var meeting = "meeting-1";
        var first = new OfficerElection(Guid.NewGuid(), T0.ToInstant(), meeting, Itu, [Unesco]);
        var rerun = new OfficerElection(Guid.NewGuid(), T0.AddHours(2).ToInstant(), meeting, Unesco, [Undp]);
        var officers = new OfficerRegister();
        officers.Apply(rerun);
        officers.Apply(first);
        officers.Apply(rerun);
        Assert.Equal(Unesco, officers.Current!.ChairId);
        Assert.False(officers.IsOfficer(Itu));
    }

    [Fact]
    public void Revised_procedures_for_a_year_hold_regardless_of_arrival_order()
    {
        var meeting = "meeting-1";
        var original = new StocktakingProcedureSetting(Guid.NewGuid(), T0.ToInstant(), meeting, 2025, T0.AddMonths(4).ToInstant(), ["title", "url"]);
        var revised = new StocktakingProcedureSetting(Guid.NewGuid(), T0.AddMonths(1).ToInstant(), meeting, 2025, T0.AddMonths(5).ToInstant(), ["title", "countryCodes"]);
        var register = new ProcedureRegister();
        register.Apply(revised);
        register.Apply(original);
        register.Apply(revised);
        var p = register.ForYear(2025)!;
        Assert.Equal(T0.AddMonths(5).ToInstant(), p.ContributionDeadline);
        Assert.Equal(["title", "country_codes"], p.RequiredFields);
        Assert.Null(register.ForYear(2024));
    }

    [Fact]
    public void Responses_are_counted_once_by_category_country_and_channel_even_when_redelivered()
    {
        var consultation = "consultation-1";
        var register = new ConsultationRegister();
        var r1 = new ResponsePublication(Guid.NewGuid(), T0.AddDays(2).ToInstant(), consultation, Guid.NewGuid().ToString(), StakeholderCategory.CivilSociety, "KE", ResponseChannel.Web);
        var r2 = new ResponsePublication(Guid.NewGuid(), T0.AddDays(3).ToInstant(), consultation, Guid.NewGuid().ToString(), StakeholderCategory.CivilSociety, "BR", ResponseChannel.Email);
        var r3 = new ResponsePublication(Guid.NewGuid(), T0.AddDays(4).ToInstant(), consultation, Guid.NewGuid().ToString(), StakeholderCategory.PrivateSector, "KE", ResponseChannel.Web);
        // Responses before the opening event, and each twice.
        foreach (var r in new[] { r1, r2, r1, r3, r2 }) register.Apply(r);
        register.Apply(new ConsultationOpening(Guid.NewGuid(), T0.ToInstant(), consultation, "Public policy on IXPs", T0.AddDays(30).ToInstant()));

        var held = Assert.Single(register.HeldBetween(T0.AddDays(-1).ToInstant(), T0.AddDays(1).ToInstant()));
        Assert.Equal(3, held.ResponseCount);
        Assert.Equal([new CountBy("Civil society", 2), new CountBy("Private sector", 1)], held.ByCategory);
        Assert.Equal([new CountBy("KE", 2), new CountBy("BR", 1)], held.ByCountry);
        Assert.Equal([new CountBy("Web", 2), new CountBy("E-mail", 1)], held.ByChannel);
        Assert.Empty(register.HeldBetween(T0.AddDays(31).ToInstant(), T0.AddDays(60).ToInstant()));
    }

    [Fact]
    public void Rebuilding_from_the_same_events_in_any_order_with_duplicates_gives_the_same_state()
    {
        var events = History();
        var reference = Snapshot(Replay(events));
        var random = new Random(20251122);
        for (var run = 0; run < 25; run++)
        {
            var shuffled = events.Concat(events.Where((_, i) => i % 3 == 0)).OrderBy(_ => random.Next()).ToList();
            Assert.Equal(reference, Snapshot(Replay(shuffled)));
        }
    }

    private sealed record ReadModels(
        StakeholderDirectory Stakeholders, CoordinationRegister Coordination, OfficerRegister Officers,
        ProcedureRegister Procedures, ConsultationRegister Consultations);

    private static ReadModels Replay(IEnumerable<object> events)
    {
        var m = new ReadModels(new(), new(), new(), new(), new());
        foreach (var e in events)
        {
            _ = e switch
            {
                StakeholderRegistration x => m.Stakeholders.Apply(x),
                TeamCreation x => m.Coordination.Apply(x),
                CoordinatorDesignation x => m.Coordination.Apply(x),
                CoordinatorsMeetingConvening x => m.Officers.Apply(x),
                OfficerElection x => m.Officers.Apply(x),
                StocktakingProcedureSetting x => m.Procedures.Apply(x),
                ConsultationOpening x => m.Consultations.Apply(x),
                ResponsePublication x => m.Consultations.Apply(x),
                ConsultationClosing x => m.Consultations.Apply(x),
                ResultsPublication x => m.Consultations.Apply(x),
                _ => throw new InvalidOperationException(e.GetType().Name),
            };
        }
        return m;
    }

    // The canonical report's options write instants (System.Text.Json alone would write an Instant as "{}").
    private static string Snapshot(ReadModels m) => JsonSerializer.Serialize(new
    {
        stakeholders = m.Stakeholders.Records.OrderBy(r => r.StakeholderId, StringComparer.Ordinal),
        teams = m.Coordination.Teams.OrderBy(t => t.TeamId, StringComparer.Ordinal),
        meetings = m.Officers.Meetings.OrderBy(x => x.MeetingId, StringComparer.Ordinal),
        current = m.Officers.Current,
        procedures = m.Procedures.Procedures.OrderBy(p => p.Year),
        consultations = m.Consultations.Consultations.OrderBy(c => c.ConsultationId, StringComparer.Ordinal),
        responses = m.Consultations.Responses.OrderBy(r => r.ResponseId, StringComparer.Ordinal),
    }, CanonicalReport.Options);

    private static List<object> History()
    {
        var list = new List<object>();
        var orgs = new[] { Itu, Unesco, Undp };
        list.Add(new StakeholderRegistration(Guid.NewGuid(), T0.ToInstant(), Itu, "ITU", StakeholderCategory.IntergovernmentalOrganization, "CH"));
        list.Add(new StakeholderRegistration(Guid.NewGuid(), T0.ToInstant(), Unesco, "UNESCO", StakeholderCategory.IntergovernmentalOrganization, "FR"));
        list.Add(new StakeholderRegistration(Guid.NewGuid(), T0.ToInstant(), Undp, "UNDP", StakeholderCategory.IntergovernmentalOrganization, "US"));
        // A correction of a stakeholder's name.
        list.Add(new StakeholderRegistration(Guid.NewGuid(), T0.AddDays(1).ToInstant(), Undp, "United Nations Development Programme", StakeholderCategory.IntergovernmentalOrganization, "US"));
        for (var i = 0; i < ActionLines.TopLevel.Count; i++)
        {
            var team = $"team-{i}";
            list.Add(new TeamCreation(Guid.NewGuid(), T0.ToInstant(), team, ActionLines.TopLevel[i].Code));
            list.Add(new CoordinatorDesignation(Guid.NewGuid(), T0.AddDays(10).ToInstant(), team, orgs[i % 3], null, $"d{i}"));
            list.Add(new CoordinatorDesignation(Guid.NewGuid(), T0.AddDays(20 + i).ToInstant(), team, orgs[(i + 1) % 3], null, $"d{i}b"));
        }
        var m1 = "m1";
        var m2 = "m2";
        list.Add(new CoordinatorsMeetingConvening(Guid.NewGuid(), T0.ToInstant(), m1, T0.AddMonths(1).ToInstant()));
        list.Add(new OfficerElection(Guid.NewGuid(), T0.AddMonths(1).ToInstant(), m1, Itu, [Unesco, Undp]));
        list.Add(new CoordinatorsMeetingConvening(Guid.NewGuid(), T0.AddMonths(6).ToInstant(), m2, T0.AddMonths(11).ToInstant()));
        list.Add(new OfficerElection(Guid.NewGuid(), T0.AddMonths(11).ToInstant(), m2, Unesco, [Itu]));
        list.Add(new StocktakingProcedureSetting(Guid.NewGuid(), T0.AddMonths(1).ToInstant(), m1, 2025, T0.AddMonths(5).ToInstant(), ["description"]));
        list.Add(new StocktakingProcedureSetting(Guid.NewGuid(), T0.AddMonths(2).ToInstant(), m1, 2025, T0.AddMonths(6).ToInstant(), ["description", "url"]));
        list.Add(new StocktakingProcedureSetting(Guid.NewGuid(), T0.AddMonths(11).ToInstant(), m2, 2026, T0.AddMonths(17).ToInstant(), []));
        var c = "c1";
        list.Add(new ConsultationOpening(Guid.NewGuid(), T0.ToInstant(), c, "Internet governance", T0.AddDays(40).ToInstant()));
        for (var i = 0; i < 12; i++)
            list.Add(new ResponsePublication(Guid.NewGuid(), T0.AddDays(i + 1).ToInstant(), c, $"r{i}", (StakeholderCategory)(1 + i % 6), i % 2 == 0 ? "KE" : "IN", (ResponseChannel)(1 + i % 3)));
        list.Add(new ConsultationClosing(Guid.NewGuid(), T0.AddDays(40).ToInstant(), c, 12, "abc", [new CountBy("Civil society", 2)]));
        list.Add(new ResultsPublication(Guid.NewGuid(), T0.AddDays(80).ToInstant(), c, "Summary of views."));
        return list;
    }
}
