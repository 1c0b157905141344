using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>The election of the meeting of coordinators, for the secretariat: nominate officers (chair,
/// vice-chairs) from among the designated coordinators, then close the election; for its elected chair
/// and the secretariat: the implementation framework and the year's stocktaking procedures. Closing takes no
/// request_id: a repeated click finds the election closed and says it is done.</summary>
public sealed class ElectionModel(Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient meetings, TeamsClient teams, Wsis.Teams.V1.Stakeholders.StakeholdersClient stakeholders) : WorkspacePage
{
    [FromRoute] public string MeetingId { get; set; } = "";
    [BindProperty] public Office Office { get; set; } = Office.Chair;
    [BindProperty] public string StakeholderId { get; set; } = "";

    [BindProperty] public int Year { get; set; } = DateTime.UtcNow.Year;
    [BindProperty] public DateTime ContributionDeadline { get; set; } = DateTime.UtcNow.Date.AddMonths(2);
    [BindProperty] public string? RequiredFields { get; set; } = "country_codes";
    [BindProperty] public string? Framework { get; set; }

    /// <summary>The meeting's elected chair (role coordinator, org = the chair) or the secretariat sets its
    /// framework and procedures; anyone else finds no form (and the service refuses a post).</summary>
    public bool MaySetFramework =>
        Person.IsSecretariat || (Person.HasRole(Platform.Domain.Role.Coordinator) && Person.Org is { } org && Meeting.ChairStakeholderId == org);

    public CoordinatorsMeeting Meeting { get; private set; } = new();
    public IReadOnlyList<Stakeholder> Registered { get; private set; } = [];
    public IReadOnlyList<string> Coordinators { get; private set; } = [];

    public string NameOf(string id) => Registered.FirstOrDefault(s => s.Id == id)?.Name ?? id;

    public async Task OnGetAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        Framework = Meeting.ImplementationFramework;
    }

    /// <summary>SetImplementationFramework: a new version of the meeting's general framework of
    /// implementation, sent with the form's request_id.</summary>
    public async Task<IActionResult> OnPostFrameworkAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new SetImplementationFrameworkRequest { MeetingId = MeetingId, Text = Framework ?? "", RequestId = RequestId };
        return await SubmitAsync(async c => await meetings.SetImplementationFrameworkAsync(request, cancellationToken: c),
            $"Implementation framework set: {Meeting.Venue}",
            ("text", nameof(Framework)));
    }

    public async Task<IActionResult> OnPostNominateAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new NominateOfficerRequest { MeetingId = MeetingId, Office = Office, StakeholderId = StakeholderId ?? "", RequestId = RequestId };
        return await SubmitAsync(async c => await meetings.NominateOfficerAsync(request, cancellationToken: c),
            $"{NameOf(StakeholderId ?? "")} nominated for {Web.PageFormat.EnumLabel(Office)}",
            ("stakeholder_id", nameof(StakeholderId)), ("office", nameof(Office)));
    }

    public async Task<IActionResult> OnPostCloseAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        if (Meeting.ElectionState == ElectionState.ElectionClosed)
        {
            TempData[WorkspaceMessages.Done] = "Election closed";
            return RedirectToPage("/Workspace/Index");
        }

        var id = MeetingId;
        return await SubmitAsync(async c => await meetings.CloseElectionAsync(new CloseElectionRequest { MeetingId = id, RequestId = RequestId }, cancellationToken: c), "Election closed");
    }

    /// <summary>SetStocktakingProcedures: the year's contribution deadline and required entry fields, against
    /// which Reporting checks the teams' contributions.</summary>
    public async Task<IActionResult> OnPostProceduresAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new SetStocktakingProceduresRequest
        {
            MeetingId = MeetingId,
            Year = Year,
            RequestId = RequestId,
            ContributionDeadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.SpecifyKind(ContributionDeadline, DateTimeKind.Utc)),
        };
        request.RequiredFields.AddRange(Items(RequiredFields, ',', ' '));
        return await SubmitAsync(async c => await meetings.SetStocktakingProceduresAsync(request, cancellationToken: c),
            $"Stocktaking procedures for {Year} set",
            ("year", nameof(Year)), ("contribution_deadline", nameof(ContributionDeadline)), ("required_fields", nameof(RequiredFields)));
    }

    private async Task LoadAsync(CancellationToken cancel)
    {
        Meeting = await meetings.GetCoordinatorsMeetingAsync(new GetCoordinatorsMeetingRequest { Id = MeetingId }, cancellationToken: cancel);
        Registered = (await stakeholders.ListStakeholdersAsync(new ListStakeholdersRequest { PageSize = 200 }, cancellationToken: cancel)).Stakeholders;
        Coordinators = (await teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 200 }, cancellationToken: cancel)).Teams
            .Where(t => t.DesignationState == DesignationState.Designated).Select(t => t.CoordinatorStakeholderId).Distinct().ToList();
    }
}
