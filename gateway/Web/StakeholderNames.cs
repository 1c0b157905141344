using Grpc.Core;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Web;

/// <summary>
/// Stakeholders' names for the pages, which the services' messages give by id (a coordinator, an
/// officer, a candidate). Names a page already knows (a team's members carry theirs) are used as
/// they are; the others are read once per request from the register. A stakeholder the register
/// does not know (yet) shows as its id rather than failing the page.
/// </summary>
public sealed class StakeholderNames(Stakeholders.StakeholdersClient stakeholders, IHttpContextAccessor http)
{
    private readonly Dictionary<string, Task<Stakeholder?>> _known = [];

    public void Remember(IEnumerable<TeamMember> members)
    {
        foreach (var m in members.Where(m => !string.IsNullOrEmpty(m.StakeholderName)))
        {
            _known.TryAdd(m.StakeholderId, Task.FromResult<Stakeholder?>(new Stakeholder { Id = m.StakeholderId, Name = m.StakeholderName }));
        }
    }

    public async Task<string> NameAsync(string id) =>
        string.IsNullOrEmpty(id) ? "" : (await GetAsync(id))?.Name is { Length: > 0 } name ? name : id;

    /// <summary>Reads every id at once (in parallel), so a page then asks <see cref="Name"/> synchronously.</summary>
    public Task LoadAsync(IEnumerable<string> ids) =>
        Task.WhenAll(ids.Where(id => !string.IsNullOrEmpty(id)).Distinct().Select(GetAsync));

    /// <summary>The name of a stakeholder loaded before (<see cref="LoadAsync"/>, <see cref="Remember"/>); its id otherwise.</summary>
    public string Name(string id) =>
        _known.TryGetValue(id, out var t) && t.IsCompletedSuccessfully && t.Result?.Name is { Length: > 0 } name ? name : id;

    public Stakeholder? Get(string id) =>
        _known.TryGetValue(id, out var t) && t.IsCompletedSuccessfully ? t.Result : null;

    public Task<Stakeholder?> GetAsync(string id)
    {
        if (!_known.TryGetValue(id, out var found))
        {
            found = _known[id] = ReadAsync(id);
        }

        return found;
    }

    private async Task<Stakeholder?> ReadAsync(string id)
    {
        try
        {
            return await stakeholders.GetStakeholderAsync(new GetStakeholderRequest { Id = id },
                cancellationToken: http.HttpContext?.RequestAborted ?? default);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    }
}
