using Grpc.Core;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wsis.Gateway.Web;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.Inventory;

/// <summary>One entry of the stocktaking inventory: what it is, where, by whom, and the team's
/// contribution it was reported in (linked to the team, the stakeholder and the action lines).</summary>
public sealed class DetailsModel(Stocktaking.StocktakingClient stocktaking, Wsis.Teams.V1.Teams.TeamsClient teams, StakeholderNames names) : PageModel
{
    public InventoryEntry Entry { get; private set; } = new();

    /// <summary>The team whose contribution brought the entry; null when Teams cannot say (its id is shown).</summary>
    public Team? Team { get; private set; }

    public StakeholderNames Names => names;

    public async Task OnGetAsync(string id)
    {
        var aborted = HttpContext.RequestAborted;
        Entry = await stocktaking.GetInventoryEntryAsync(new GetInventoryEntryRequest { Id = id }, cancellationToken: aborted);
        var stakeholder = names.LoadAsync([Entry.StakeholderId]);
        if (!string.IsNullOrEmpty(Entry.TeamId))
        {
            try
            {
                Team = await teams.GetTeamAsync(new GetTeamRequest { Id = Entry.TeamId }, cancellationToken: aborted);
            }
            catch (RpcException e) when (e.StatusCode is Grpc.Core.StatusCode.NotFound or Grpc.Core.StatusCode.InvalidArgument or Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.Unimplemented)
            {
                // The entry's page does not depend on Teams: the team shows by its id.
                Team = null;
            }
        }

        await stakeholder;
    }

    /// <summary>The entry's own web address when it is an http(s) one (anything else is shown as text, never a link).</summary>
    public Uri? SafeUrl => Uri.TryCreate(Entry.Url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) ? u : null;
}
