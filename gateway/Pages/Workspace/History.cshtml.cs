using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Web;
using Wsis.Gateway.Workspace;
using ConsultationsClient = Wsis.Consultations.V1.Consultations.ConsultationsClient;
using CoordinatorsMeetingsClient = Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient;
using ReportsClient = Wsis.Reporting.V1.Reports.ReportsClient;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>
/// Who did what, and when, to a team (with its meetings), a coordinators' meeting, a consultation or a
/// report, as the service that owns it recorded it (ListTeamHistory, ListCoordinatorsMeetingHistory,
/// ListConsultationHistory, ListReportHistory). The services let only the secretariat read a history;
/// anyone else gets their PERMISSION_DENIED on the page, as a refused form shows it.
/// </summary>
public sealed class HistoryModel(TeamsClient teams, CoordinatorsMeetingsClient meetings, ConsultationsClient consultations, ReportsClient reports) : WorkspacePage
{
    public const int PageSize = 50;

    /// <summary>One line of the table, whichever service it came from.</summary>
    public sealed record Line(Timestamp? At, string ActorName, string ActorSubject, string Action, string Detail);

    /// <summary>The English label of each action name the services record; the resources translate it.</summary>
    public static IReadOnlyDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["TeamCreated"] = "Team created",
        ["StakeholderJoined"] = "Organisation joined",
        ["StakeholderLeft"] = "Organisation left",
        ["CoordinatorNominated"] = "Coordinator nominated",
        ["CoordinatorRecommended"] = "Coordinator recommendation recorded",
        ["CoordinatorDesignated"] = "Coordinator designation recorded",
        ["CoordinationModalitiesSet"] = "Coordination modalities set",
        ["TeamMeetingScheduled"] = "Team meeting scheduled",
        ["TeamMeetingRegistration"] = "Registered for a team meeting",
        ["CoordinatorsMeetingConvened"] = "Meeting convened",
        ["OfficerNominated"] = "Officer nominated",
        ["VoteCast"] = "Ballot cast",
        ["ElectionClosed"] = "Election closed",
        ["ImplementationFrameworkSet"] = "Implementation framework set",
        ["StocktakingProceduresSet"] = "Stocktaking procedures set",
        ["StocktakingProceduresReplaced"] = "Stocktaking procedures replaced",
        ["ConsultationOpened"] = "Consultation opened",
        ["ConsultationClosed"] = "Consultation closed",
        ["EmailAssigned"] = "E-mail assigned",
        ["ExaminationRecorded"] = "Examination recorded",
        ["ResultsPublished"] = "Results published",
        ["ReportCompiled"] = "Report compiled",
        ["ReportSubmitted"] = "Report submitted to the UN Secretary-General",
        ["ReportTransmitted"] = "Transmission to the General Assembly recorded",
    };

    [FromRoute] public string Kind { get; set; } = "";
    [FromRoute] public string Id { get; set; } = "";
    [FromQuery(Name = PageLinks.Parameter)] public string? From { get; set; }

    /// <summary>What the history is of, e.g. "Team C2 — …"; empty when the history was refused.</summary>
    public string Subject { get; private set; } = "";
    public string PublicHref => $"/{Kind}/{Uri.EscapeDataString(Id)}";
    public IReadOnlyList<Line> Lines { get; private set; } = [];
    public PageLinks Pages { get; private set; } = new(null, null, "");
    public bool Refused { get; private set; }

    /// <summary>The label of an action (English; the page translates it), or the action name itself for one this page does not know yet.</summary>
    public static string Label(string action) => Labels.GetValueOrDefault(action, action);

    public async Task OnGetAsync(CancellationToken cancel)
    {
        var token = From ?? "";
        try
        {
            // The history first: a caller the service refuses learns nothing else here.
            string next;
            (Lines, next) = await ReadAsync(token, cancel);
            Subject = await SubjectAsync(cancel);
            Pages = PageLinks.For(Request, token, next, "History pages");
        }
        catch (RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.PermissionDenied)
        {
            Refused = true;
            ModelState.AddModelError("", e.Status.Detail);
            Response.StatusCode = Proxy.GatewayAnswers.HttpStatusFor(e.StatusCode);
        }
    }

    private async Task<(IReadOnlyList<Line> Lines, string Next)> ReadAsync(string token, CancellationToken cancel)
    {
        switch (Kind)
        {
            case "teams":
            {
                var page = await teams.ListTeamHistoryAsync(new Wsis.Teams.V1.ListTeamHistoryRequest { TeamId = Id, PageSize = PageSize, PageToken = token }, cancellationToken: cancel);
                return (page.Entries.Select(e => new Line(e.At, e.ActorName, e.ActorSubject, e.Action, e.Detail)).ToList(), page.NextPageToken);
            }
            case "coordinators-meetings":
            {
                var page = await meetings.ListCoordinatorsMeetingHistoryAsync(new Wsis.Teams.V1.ListCoordinatorsMeetingHistoryRequest { MeetingId = Id, PageSize = PageSize, PageToken = token }, cancellationToken: cancel);
                return (page.Entries.Select(e => new Line(e.At, e.ActorName, e.ActorSubject, e.Action, e.Detail)).ToList(), page.NextPageToken);
            }
            case "consultations":
            {
                var page = await consultations.ListConsultationHistoryAsync(new Wsis.Consultations.V1.ListConsultationHistoryRequest { ConsultationId = Id, PageSize = PageSize, PageToken = token }, cancellationToken: cancel);
                return (page.Entries.Select(e => new Line(e.At, e.ActorName, e.ActorSubject, e.Action, e.Detail)).ToList(), page.NextPageToken);
            }
            default:
            {
                var page = await reports.ListReportHistoryAsync(new Wsis.Reporting.V1.ListReportHistoryRequest { ReportId = Id, PageSize = PageSize, PageToken = token }, cancellationToken: cancel);
                return (page.Entries.Select(e => new Line(e.At, e.ActorName, e.ActorSubject, e.Action, e.Detail)).ToList(), page.NextPageToken);
            }
        }
    }

    private async Task<string> SubjectAsync(CancellationToken cancel)
    {
        switch (Kind)
        {
            case "teams":
                var team = await teams.GetTeamAsync(new Wsis.Teams.V1.GetTeamRequest { Id = Id }, cancellationToken: cancel);
                return $"{team.ActionLineCode} — {team.ActionLineTitle}";
            case "coordinators-meetings":
                var meeting = await meetings.GetCoordinatorsMeetingAsync(new Wsis.Teams.V1.GetCoordinatorsMeetingRequest { Id = Id }, cancellationToken: cancel);
                return $"{meeting.Venue}, {PageFormat.GenevaTime(meeting.StartsAt)}";
            case "consultations":
                return (await consultations.GetConsultationAsync(new Wsis.Consultations.V1.GetConsultationRequest { Id = Id }, cancellationToken: cancel)).Title;
            default:
                var report = await reports.GetReportAsync(new Wsis.Reporting.V1.GetReportRequest { Id = Id, Format = Wsis.Reporting.V1.ReportFormat.Markdown }, cancellationToken: cancel);
                return report.Report.Title;
        }
    }
}
