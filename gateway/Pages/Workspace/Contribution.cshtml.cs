using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;
using TeamsClient = Wsis.Teams.V1.Teams.TeamsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>SubmitContribution: the team's designated coordinator reports an activity to the year's
/// stocktaking, against the procedures the coordinators' meeting set (deadline, required fields).</summary>
public sealed class ContributionModel(TeamsClient teams, Stocktaking.StocktakingClient stocktaking) : WorkspacePage
{
    [FromRoute] public string TeamId { get; set; } = "";
    [BindProperty] public int Year { get; set; } = DateTime.UtcNow.Year;
    [BindProperty] public string Title { get; set; } = "";
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public string ActionLineCodes { get; set; } = "";
    [BindProperty] public string? CountryCodes { get; set; }
    [BindProperty] public string? StakeholderId { get; set; }
    [BindProperty] public string? WebAddress { get; set; }
    [BindProperty] public EntryStatus Status { get; set; } = EntryStatus.Ongoing;

    public Team Team { get; private set; } = new();

    public async Task OnGetAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        ActionLineCodes = Team.ActionLineCode;
        StakeholderId = Person.Org;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var entry = new EntryInput
        {
            Title = Title ?? "",
            Description = Description ?? "",
            StakeholderId = StakeholderId ?? "",
            Url = WebAddress ?? "",
            Status = Status,
        };
        entry.ActionLineCodes.AddRange(Items(ActionLineCodes, ',', ' ').Select(c => c.ToUpperInvariant()));
        entry.CountryCodes.AddRange(Items(CountryCodes, ',', ' ').Select(c => c.ToUpperInvariant()));
        var request = new SubmitContributionRequest { TeamId = TeamId, Year = Year, RequestId = RequestId, Entries = { entry } };
        return await SubmitAsync(async c => await stocktaking.SubmitContributionAsync(request, cancellationToken: c),
            $"Contribution submitted for {Team.ActionLineCode}, {Year}",
            ("year", nameof(Year)), ("entries[0].title", nameof(Title)), ("entries[0].description", nameof(Description)),
            ("entries[0].action_line_codes", nameof(ActionLineCodes)), ("entries[0].country_codes", nameof(CountryCodes)),
            ("entries[0].stakeholder_id", nameof(StakeholderId)), ("entries[0].url", nameof(WebAddress)), ("entries[0].status", nameof(Status)));
    }

    private async Task LoadAsync(CancellationToken cancel) =>
        Team = await teams.GetTeamAsync(new GetTeamRequest { Id = TeamId }, cancellationToken: cancel);
}
