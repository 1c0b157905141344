using Grpc.Core;
using Testing;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Tests.Api;

/// <summary>
/// One Teams service per test class, on its own PostgreSQL database and the shared RabbitMQ node,
/// with a consumer of its events in a separate bus host.
/// </summary>
public sealed class TeamsApiFixture : IAsyncLifetime
{
    public TeamsServiceHost Service { get; private set; } = null!;
    public EventConsumerHost Consumer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        // The consumer binds its queue first, so no event is published before anyone listens.
        Consumer = await EventConsumerHost.StartAsync(rabbit.ConnectionString);
        Service = await TeamsServiceHost.StartAsync(database, rabbit.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (Service is not null) await Service.DisposeAsync();
        if (Consumer is not null) await Consumer.DisposeAsync();
    }

    /// <summary>Registers a stakeholder (as the secretariat) and returns it.</summary>
    public async Task<V1.Stakeholder> Register(string name, V1.StakeholderCategory category = V1.StakeholderCategory.IntergovernmentalOrganization, string country = "CH") =>
        await Service.Stakeholders.RegisterStakeholderAsync(new V1.RegisterStakeholderRequest
        {
            Name = name,
            Category = category,
            CountryCode = country,
            ContactEmail = "contact@" + name.ToLowerInvariant().Replace(' ', '-') + ".example",
        }, Service.Secretariat);

    public async Task<V1.Team> CreateTeam(string code) =>
        await Service.Teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = code }, Service.Secretariat);

    /// <summary>A team whose coordinator went through nomination, recommendation and designation.</summary>
    public async Task<V1.Team> CoordinatedTeam(string code, V1.Stakeholder coordinator)
    {
        var team = await CreateTeam(code);
        var teams = Service.Teams;
        await teams.NominateCoordinatorAsync(new V1.NominateCoordinatorRequest { TeamId = team.Id, StakeholderId = coordinator.Id }, Service.Secretariat);
        await teams.RecordCoordinatorRecommendationAsync(new V1.RecordCoordinatorRecommendationRequest { TeamId = team.Id, StakeholderId = coordinator.Id, MeetingReference = "WSIS stakeholder meeting 2026" }, Service.Secretariat);
        return await teams.RecordCoordinatorDesignationAsync(new V1.RecordCoordinatorDesignationRequest { TeamId = team.Id, StakeholderId = coordinator.Id, DecisionReference = "UN SG decision 2026/" + code }, Service.Secretariat);
    }

    public static async Task<RpcException> Refused(StatusCode expected, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, error.StatusCode);
        return error;
    }
}
