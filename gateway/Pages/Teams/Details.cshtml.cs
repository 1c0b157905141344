using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.Teams;

/// <summary>One team: its members, how its coordinator came to be (every step of every designation,
/// with the meeting that recommended and the decision that designated), the versions of its
/// coordination modalities, its meetings and its contributions to the stocktaking.</summary>
public sealed class DetailsModel(
    Wsis.Teams.V1.Teams.TeamsClient teams,
    Stocktaking.StocktakingClient stocktaking,
    StakeholderNames names) : PageModel
{
    public const int PageSize = 20;

    public Team Team { get; private set; } = new();

    public StakeholderNames Names => names;

    public IReadOnlyList<CoordinationModalities> Modalities { get; private set; } = [];

    public PageLinks ModalitiesPages { get; private set; } = new(null, null, "");

    public IReadOnlyList<Contribution> Contributions { get; private set; } = [];

    public async Task OnGetAsync(string id, string? from)
    {
        var aborted = HttpContext.RequestAborted;
        Team = await teams.GetTeamAsync(new GetTeamRequest { Id = id }, cancellationToken: aborted);
        names.Remember(Team.Members);
        var versions = teams.ListCoordinationModalitiesAsync(new ListCoordinationModalitiesRequest { TeamId = id, PageSize = PageSize, PageToken = from ?? "" },
            cancellationToken: aborted).ResponseAsync;
        var contributions = stocktaking.ListContributionsAsync(new ListContributionsRequest { TeamId = id, PageSize = PageSize },
            cancellationToken: aborted).ResponseAsync;
        await names.LoadAsync(Team.DesignationHistory.Select(s => s.StakeholderId)
            .Concat(Team.Designations.Select(d => d.StakeholderId))
            .Append(Team.CoordinatorStakeholderId).Append(Team.PendingStakeholderId));
        var page = await versions;
        Modalities = page.Versions.OrderByDescending(v => v.Version).ToList();
        ModalitiesPages = PageLinks.For(Request, from ?? "", page.NextPageToken, "Pages of modalities", "#modalities");
        try
        {
            Contributions = (await contributions).Contributions;
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.Unimplemented)
        {
            // The team's page does not depend on Reporting being up.
            Contributions = [];
        }
    }
}
