using System.Collections.Concurrent;
using Grpc.Net.Client;
using Wsis.Contracts.Clients;
using Wsis.Teams.V1;

namespace Wsis.Host.DevelopmentIdentity;

/// <summary>The stakeholder ids of the development people's organisations, read from Teams (public
/// <c>ListStakeholders</c>) by name, and remembered once found.</summary>
public sealed class DevelopmentDirectory(IConfiguration configuration) : IDisposable
{
    private readonly ConcurrentDictionary<string, string> _found = new(StringComparer.Ordinal);
    private readonly Lazy<GrpcChannel> _channel = new(() => ServiceChannels.ForAddress(EmbeddedConfiguration.GrpcAddress(configuration).ToString()));

    public async Task<string?> OrganisationIdAsync(DevelopmentUser user, CancellationToken cancel)
    {
        if (user.OrganisationName is not { } name)
        {
            return null;
        }

        if (_found.TryGetValue(name, out var known))
        {
            return known;
        }

        var stakeholders = new Stakeholders.StakeholdersClient(_channel.Value);
        var page = "";
        do
        {
            var listed = await stakeholders.ListStakeholdersAsync(new ListStakeholdersRequest { PageSize = 200, PageToken = page }, cancellationToken: cancel);
            if (listed.Stakeholders.FirstOrDefault(s => s.Name == name) is { } match)
            {
                return _found[name] = match.Id;
            }

            page = listed.NextPageToken;
        }
        while (page.Length > 0);

        return null;
    }

    public void Dispose()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }
    }
}
