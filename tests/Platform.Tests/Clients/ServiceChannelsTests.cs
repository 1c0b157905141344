using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Wsis.Contracts.Clients;
using Xunit;
using V1 = Wsis.Teams.V1;

namespace Platform.Tests.Clients;

/// <summary>
/// The project's own clients retry UNAVAILABLE where a repeat is safe: reads, and writes (every write of
/// the three APIs takes a request_id since issue 28; a caller that leaves it empty on a write gives up that
/// safety, see contracts/Clients/ServiceChannels.cs).
/// </summary>
public sealed class ServiceChannelsTests
{
    [Fact]
    public void Reads_and_writes_are_retried_now_that_every_write_takes_a_request_id()
    {
        var methods = ServiceChannels.Apis.SelectMany(f => f.Services).SelectMany(s => s.Methods).ToList();
        var names = ServiceChannels.SafeToRepeat(ServiceChannels.Apis).Select(m => $"{m.Service.FullName}/{m.Name}").ToHashSet();
        Assert.Contains("teams.v1.Teams/GetTeam", names);
        Assert.Contains("teams.v1.Teams/ListTeams", names);
        Assert.Contains("teams.v1.Teams/CreateTeam", names);
        Assert.Contains("consultations.v1.Consultations/SubmitResponse", names);
        Assert.Contains("consultations.v1.Consultations/IngestEmail", names);
        // Since issue 28 every write of the three APIs takes a request_id (the last ones to get one):
        Assert.Contains("teams.v1.Teams/LeaveTeam", names);
        Assert.Contains("teams.v1.CoordinatorsMeetings/CloseElection", names);
        Assert.Contains("consultations.v1.Consultations/PublishResults", names);
        Assert.Contains("reporting.v1.Reports/SubmitToSecretaryGeneral", names);
        // Every method but SearchResponses, a read whose name is no Get/List (left as it was: not retried).
        Assert.Equal(["consultations.v1.Consultations/SearchResponses"], methods.Select(m => $"{m.Service.FullName}/{m.Name}").Where(n => !names.Contains(n)));
    }

    [Fact]
    public async Task A_read_answered_UNAVAILABLE_twice_succeeds_on_the_third_attempt_and_a_write_with_its_request_id_on_the_second()
    {
        var teams = new FlakyTeams(failures: 2);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(teams);
        await using var app = builder.Build();
        app.MapGrpcService<FlakyTeams>();
        await app.StartAsync();

        using var channel = ServiceChannels.ForAddress(app.Urls.Single());
        var client = new V1.Teams.TeamsClient(channel);
        var team = await client.GetTeamAsync(new V1.GetTeamRequest { Id = "t-1" });
        Assert.Equal("t-1", team.Id);
        Assert.Equal(3, teams.Calls["GetTeam"]);

        teams.Reset(failures: 1);
        var left = await client.LeaveTeamAsync(new V1.LeaveTeamRequest { TeamId = "t-1", StakeholderId = "s-1", RequestId = "leave-1" });
        Assert.Equal("t-1", left.Id);
        Assert.Equal(2, teams.Calls["LeaveTeam"]);
    }

    /// <summary>A Teams server that answers UNAVAILABLE a set number of times, then serves.</summary>
    private sealed class FlakyTeams(int failures) : V1.Teams.TeamsBase
    {
        private int _failures = failures;

        public Dictionary<string, int> Calls { get; } = [];

        public void Reset(int failures)
        {
            _failures = failures;
            Calls.Clear();
        }

        public override Task<V1.Team> GetTeam(V1.GetTeamRequest request, ServerCallContext context) => Serve("GetTeam", () => new V1.Team { Id = request.Id });

        public override Task<V1.Team> LeaveTeam(V1.LeaveTeamRequest request, ServerCallContext context) => Serve("LeaveTeam", () => new V1.Team { Id = request.TeamId });

        private Task<V1.Team> Serve(string method, Func<V1.Team> answer)
        {
            lock (Calls)
            {
                Calls[method] = Calls.GetValueOrDefault(method) + 1;
                if (_failures-- > 0)
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, "restarting"));
                }
            }

            return Task.FromResult(answer());
        }
    }
}
