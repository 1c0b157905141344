using NodaTime;
using NodaTime.Extensions;
using Platform.Domain;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Tests;

/// <summary>
/// A realistic stocktaking: a team and a designated coordinator for each of the eleven action
/// lines, stakeholders of every category from several countries, contributions for 2023–2025 with
/// entries spread over the lines (sub-lines of C7 included), national reports and consultations.
/// Deterministic, so expected figures can be computed independently in the tests.
/// </summary>
public sealed class StocktakingDataSet
{
    public static readonly DateTimeOffset Start = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly int[] Years = [2023, 2024, 2025];
    public static readonly string[] Countries = ["CH", "KE", "BR", "IN", "FR", "JP", "EG", "CA"];

    public StakeholderDirectory Stakeholders { get; } = new();
    public CoordinationRegister Coordination { get; } = new();
    public OfficerRegister Officers { get; } = new();
    public ProcedureRegister Procedures { get; } = new();
    public ConsultationRegister Consultations { get; } = new();
    public List<Contribution> Contributions { get; } = [];
    public List<NationalReport> NationalReports { get; } = [];
    public Dictionary<string, string> TeamOf { get; } = [];
    public Dictionary<string, string> CoordinatorOf { get; } = [];
    public List<string> StakeholderIds { get; } = [];
    public string Chair { get; private set; } = "";
    public string ViceChair { get; private set; } = "";

    /// <summary>Every event-like fact the read models were built from, in the order applied.</summary>
    public List<object> Facts { get; } = [];

    public void Record(object fact)
    {
        Facts.Add(fact);
        _ = fact switch
        {
            StakeholderRegistration x => Stakeholders.Apply(x),
            TeamCreation x => Coordination.Apply(x),
            CoordinatorDesignation x => Coordination.Apply(x),
            CoordinatorsMeetingConvening x => Officers.Apply(x),
            OfficerElection x => Officers.Apply(x),
            StocktakingProcedureSetting x => Procedures.Apply(x),
            ConsultationOpening x => Consultations.Apply(x),
            ResponsePublication x => Consultations.Apply(x),
            ConsultationClosing x => Consultations.Apply(x),
            ResultsPublication x => Consultations.Apply(x),
            _ => throw new ArgumentException(fact.GetType().Name),
        };
    }

    public ReportSources Sources => new(Contributions, NationalReports, Coordination, Stakeholders, Consultations);

    public static StocktakingDataSet Build()
    {
        var d = new StocktakingDataSet();
        var n = 0;
        Guid Id() => new($"00000000-0000-0000-0000-{++n:x12}");
        string Key() => Id().ToString();

        string[] coordinatorNames = ["ITU", "UNESCO", "UNDP", "UNCTAD", "FAO", "WHO", "ILO", "UNEP", "WMO", "UPU", "UN DESA"];
        for (var i = 0; i < ActionLines.TopLevel.Count; i++)
        {
            var line = ActionLines.TopLevel[i].Code;
            var org = Key();
            d.Record(new StakeholderRegistration(Id(), Start.ToInstant(), org, coordinatorNames[i], StakeholderCategory.IntergovernmentalOrganization, "CH"));
            var team = Key();
            d.Record(new TeamCreation(Id(), Start.ToInstant(), team, line));
            d.Record(new CoordinatorDesignation(Id(), Start.AddDays(30).ToInstant(), team, org, line, $"UNSG designation {i + 1}"));
            d.TeamOf[line] = team;
            d.CoordinatorOf[line] = org;
        }
        // Stakeholders carrying out activities: every category, several countries.
        for (var i = 0; i < 24; i++)
        {
            var id = Key();
            var category = (StakeholderCategory)(1 + i % 6);
            d.Record(new StakeholderRegistration(Id(), Start.ToInstant(), id, $"Organisation {i + 1}", category, Countries[i % Countries.Length]));
            d.StakeholderIds.Add(id);
        }

        var meeting = Key();
        d.Chair = d.CoordinatorOf["C1"];
        d.ViceChair = d.CoordinatorOf["C5"];
        d.Record(new CoordinatorsMeetingConvening(Id(), Start.ToInstant(), meeting, Start.AddMonths(2).ToInstant()));
        d.Record(new OfficerElection(Id(), Start.AddMonths(2).ToInstant(), meeting, d.Chair, [d.ViceChair, d.CoordinatorOf["C9"]]));
        foreach (var year in Years.Append(2026))
        {
            d.Record(new StocktakingProcedureSetting(Id(), Start.AddMonths(2).ToInstant(), meeting, year,
                new DateTimeOffset(year, 11, 30, 23, 0, 0, TimeSpan.Zero).ToInstant(), ["description", "country_codes"]));
        }

        // Contributions: each team, each year, a varying number of entries (1 + (line + year) % 4),
        // submitted by the team's coordinator through the model's own rule.
        var entrySeed = 0;
        foreach (var year in Years)
        {
            for (var i = 0; i < ActionLines.TopLevel.Count; i++)
            {
                var line = ActionLines.TopLevel[i].Code;
                var count = 1 + (i + year) % 4;
                var entries = new List<EntryDraft>();
                for (var k = 0; k < count; k++)
                {
                    entrySeed++;
                    var codes = new List<string> { line == "C7" ? ActionLines.All.Where(l => l.IsSubLine).ElementAt(entrySeed % 8).Code : line };
                    if (entrySeed % 5 == 0) codes.Add("C11"); // cross-cutting activity
                    entries.Add(new EntryDraft(
                        $"{line} activity {year}-{k + 1}",
                        $"Programme on {ActionLines.TopLevel[i].Title.ToLowerInvariant()} ({year}).",
                        codes.Distinct().ToList(),
                        [Countries[entrySeed % Countries.Length], Countries[(entrySeed + 3) % Countries.Length]],
                        d.StakeholderIds[entrySeed % d.StakeholderIds.Count],
                        $"https://example.org/stocktaking/{year}/{line}/{k + 1}",
                        (EntryStatus)(1 + entrySeed % 3)));
                }
                d.Contributions.Add(Contribution.Submit(new ContributionDraft(d.TeamOf[line], year, entries),
                    Actor.Create("coord-" + line, [Role.Coordinator], d.CoordinatorOf[line]), d.Coordination, d.Procedures,
                    new DateTimeOffset(year, 6, 1 + i, 10, 0, 0, TimeSpan.Zero).ToInstant(), Id));
            }
        }

        foreach (var year in Years)
        {
            foreach (var country in Countries.Take(3 + year % 3))
            {
                d.NationalReports.Add(NationalReport.Submit(
                    new NationalReportDraft(country, year, $"National implementation of the WSIS outcomes in {country}, {year}.\n\nBroadband and skills.",
                        [new NationalActivityDraft("National broadband plan", "Rural coverage.", ["C2"])]),
                    Actor.Create($"ms-{country}", [Role.MemberState], country: country),
                    new DateTimeOffset(year, 9, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), alreadySubmitted: false, Id()));
            }
        }

        // One consultation a year; response i has category 1 + i % 6.
        foreach (var year in Years)
        {
            var c = Key();
            var opened = new DateTimeOffset(year, 3, 1, 8, 0, 0, TimeSpan.Zero);
            d.Record(new ConsultationOpening(Id(), opened.ToInstant(), c, $"Open consultation {year}: public policy on connectivity", opened.AddMonths(2).ToInstant()));
            for (var i = 0; i < 5 + year % 4; i++)
            {
                d.Record(new ResponsePublication(Id(), opened.AddDays(i + 1).ToInstant(), c, Key(),
                    (StakeholderCategory)(1 + i % 6), Countries[i % Countries.Length], (ResponseChannel)(1 + i % 3)));
            }

            d.Record(new ConsultationClosing(Id(), opened.AddMonths(2).ToInstant(), c, 5 + year % 4, null));
        }
        return d;
    }
}
