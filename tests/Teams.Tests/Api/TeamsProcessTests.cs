using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.IdentityModel.Tokens;
using Platform.Security;
using Testing;
using Wsis.Contracts.Events;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Tests.Api;

/// <summary>
/// The Teams service as the cluster runs it: its own process (<c>dotnet Teams.dll</c>) configured
/// by environment variables, PostgreSQL and RabbitMQ; its events consumed in this (another) process.
/// </summary>
public sealed class TeamsProcessTests : IAsyncLifetime
{
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private Dictionary<string, string> _environment = null!;
    private DeployableProcess _service = null!;
    private EventConsumerHost _consumer = null!;
    private string _address = "";

    public async Task InitializeAsync()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        var database = await postgres.CreateDatabaseAsync();
        _consumer = await EventConsumerHost.StartAsync(rabbit.ConnectionString);
        var port = FreePort.Next();
        _address = $"http://127.0.0.1:{port}";
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = _address,
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Teams"] = database,
            ["ConnectionStrings__RabbitMq"] = rabbit.ConnectionString,
            ["Auth__Issuer"] = "teams-process-tests",
            ["Auth__Audience"] = "wsis",
            ["Auth__SigningKeys__0"] = Convert.ToBase64String(_secret),
        };
        var folder = Path.Combine(Path.GetTempPath(), "teams-process-" + Guid.NewGuid().ToString("N")[..8]);
        _service = DeployableProcess.Start("teams", BuildOutput.Dll("deploy/Teams", "Teams"), folder, _environment);
        await _service.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_service is not null) await _service.DisposeAsync();
        if (_consumer is not null) await _consumer.DisposeAsync();
    }

    [Fact]
    public async Task The_deployed_service_serves_answers_its_health_probe_and_publishes_to_another_process()
    {
        var (exitCode, output) = await RunHealthProbe();
        Assert.True(exitCode == 0, "health probe: " + output);

        var tokens = new DevelopmentTokenIssuer("teams-process-tests", "wsis", new SymmetricSecurityKey(_secret));
        var secretariat = new Metadata { { "authorization", "Bearer " + tokens.Mint(new DevelopmentTokenRequest("sec", "Secretariat", ["secretariat"])) } };
        using var channel = GrpcChannel.ForAddress(_address);
        var stakeholders = new V1.Stakeholders.StakeholdersClient(channel);
        var teams = new V1.Teams.TeamsClient(channel);

        var stakeholder = await stakeholders.RegisterStakeholderAsync(new V1.RegisterStakeholderRequest
        {
            Name = "Process Org", Category = V1.StakeholderCategory.AcademicAndTechnical, CountryCode = "IN", ContactEmail = "desk@process.example",
        }, secretariat);
        var team = await teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = "C7.E-ENVIRONMENT" }, secretariat);

        var registered = await _consumer.WaitFor<StakeholderRegistered>(e => e.StakeholderId == stakeholder.Id);
        Assert.Equal(("Process Org", "ACADEMIC_AND_TECHNICAL", "IN"), (registered.Name, registered.Category, registered.CountryCode));
        Assert.Equal("E-environment", (await _consumer.WaitFor<TeamCreated>(e => e.TeamId == team.Id)).ActionLineTitle);

        // A wrong signing key is refused by the service itself, not only by the gateway.
        var forged = new DevelopmentTokenIssuer("teams-process-tests", "wsis", new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await teams.CreateTeamAsync(new V1.CreateTeamRequest { ActionLineCode = "C1" },
            new Metadata { { "authorization", "Bearer " + forged.Mint(new DevelopmentTokenRequest("sec", "Secretariat", ["secretariat"])) } }));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    private async Task<(int ExitCode, string Output)> RunHealthProbe()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(BuildOutput.Dll("deploy/Teams", "Teams"));
        start.ArgumentList.Add("healthcheck");
        foreach (var (key, value) in _environment) start.Environment[key] = value;
        using var probe = Process.Start(start)!;
        var output = probe.StandardOutput.ReadToEndAsync();
        var errors = probe.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await probe.WaitForExitAsync(timeout.Token);
        return (probe.ExitCode, await output + await errors);
    }
}
