using Wsis.Gateway.Workspace;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>The secretariat's way to each history: every team, coordinators' meeting, consultation and report (drafts too).
/// A page of its own, so the workspace's lists of things to do keep one link per thing.</summary>
public sealed class HistoriesModel(
    Wsis.Teams.V1.Teams.TeamsClient teams,
    Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient meetings,
    Wsis.Consultations.V1.Consultations.ConsultationsClient consultations,
    Wsis.Reporting.V1.Reports.ReportsClient reports) : WorkspacePage
{
    public IReadOnlyList<Wsis.Teams.V1.Team> Teams { get; private set; } = [];
    public IReadOnlyList<Wsis.Teams.V1.CoordinatorsMeeting> CoordinatorsMeetings { get; private set; } = [];
    public IReadOnlyList<Wsis.Consultations.V1.Consultation> Consultations { get; private set; } = [];
    public IReadOnlyList<Wsis.Reporting.V1.Report> Reports { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel)
    {
        if (!Person.IsSecretariat)
        {
            return;
        }

        Teams = (await teams.ListTeamsAsync(new Wsis.Teams.V1.ListTeamsRequest { PageSize = 200 }, cancellationToken: cancel)).Teams;
        CoordinatorsMeetings = (await meetings.ListCoordinatorsMeetingsAsync(new Wsis.Teams.V1.ListCoordinatorsMeetingsRequest { PageSize = 200 }, cancellationToken: cancel)).Meetings;
        Consultations = (await consultations.ListConsultationsAsync(new Wsis.Consultations.V1.ListConsultationsRequest { PageSize = 200 }, cancellationToken: cancel)).Consultations;
        Reports = (await reports.ListReportsAsync(new Wsis.Reporting.V1.ListReportsRequest { PageSize = 200 }, cancellationToken: cancel)).Reports;
    }
}
