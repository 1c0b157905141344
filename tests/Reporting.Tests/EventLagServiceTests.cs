using System.Diagnostics;
using Grpc.Core;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain;
using Platform.ServiceDefaults;
using Testing;
using Wsis.Contracts.Clients;
using Wsis.Contracts.Events;
using Xunit;
using V1 = Wsis.Reporting.V1;

namespace Wsis.Reporting.Tests;

/// <summary>
/// A Reporting service of its own (PostgreSQL, its own RabbitMQ virtual host, so the elections and
/// meetings published here reach no other test's service), fed with Teams' events as Teams raises
/// them: the call comes before the event it depends on.
/// </summary>
public sealed class EventLagFixture : IAsyncLifetime
{
    public static readonly int ThisYear = DateTime.UtcNow.Year;
    public static readonly int NextYear = ThisYear + 1;

    public ReportingHost Host { get; private set; } = null!;
    public DateTimeOffset MeetingStarts { get; } = DateTimeOffset.UtcNow.AddDays(-30);

    public async Task InitializeAsync()
    {
        var postgres = await SharedPostgres.GetAsync();
        var rabbit = await SharedRabbitMq.GetAsync();
        Host = await ReportingHost.StartAsync(await postgres.CreateDatabaseAsync(), await rabbit.CreateVirtualHostAsync());
        // Officers in office (chair org-chair) and next year's procedures; this year's are not set yet.
        await Publish(
            new CoordinatorsMeetingConvened { EventId = Guid.NewGuid(), OccurredAt = MeetingStarts.AddDays(-20), MeetingId = "meeting-1", StartsAt = MeetingStarts, Venue = "Geneva", ViceChairSeats = 1 },
            new OfficersElected { EventId = Guid.NewGuid(), OccurredAt = MeetingStarts.AddHours(4), MeetingId = "meeting-1", ChairStakeholderId = "org-chair", ViceChairStakeholderIds = [], TieReported = false },
            new StocktakingProceduresSet { EventId = Guid.NewGuid(), OccurredAt = MeetingStarts.AddHours(5), MeetingId = "meeting-1", Year = NextYear, ContributionDeadline = new DateTimeOffset(NextYear, 11, 30, 0, 0, 0, TimeSpan.Zero), RequiredFields = ["description"] });
        await Until(async db => await db.StocktakingProcedures.AnyAsync() && await db.CoordinatorsMeetings.AnyAsync(m => m.ChairId != null && m.StartsAt != null));
    }

    public async Task Publish(params object[] events)
    {
        var bus = Host.Services.GetRequiredService<IBus>();
        foreach (var e in events)
        {
            var eventId = (Guid)e.GetType().GetProperty("EventId")!.GetValue(e)!;
            await bus.Publish(e, e.GetType(), ctx => ctx.MessageId = eventId);
        }
    }

    public async Task Until(Func<Data.ReportingDbContext, Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await using (var db = Host.OpenDatabase())
                if (await condition(db)) return;
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the read model did not reach the expected state");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public class EventLagServiceTests(EventLagFixture f) : IClassFixture<EventLagFixture>
{
    private V1.Stocktaking.StocktakingClient Stocktaking => new(f.Host.Channel);
    private V1.Reports.ReportsClient Reports => new(f.Host.Channel);

    private static V1.EntryInput Entry() => new()
    {
        Title = "Community networks", Description = "Connecting villages.", ActionLineCodes = { "C2" }, CountryCodes = { "KE" }, Status = V1.EntryStatus.Ongoing,
    };

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private static void AssertRetryHint(RpcException e)
    {
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("1000", e.Trailers.GetValue(ErrorMappingInterceptor.RetryAfterTrailer));
        Assert.Equal("1000", e.Trailers.GetValue(ErrorMappingInterceptor.RetryPushbackTrailer));
    }

    private async Task<string> KnownTeamWithoutCoordinator()
    {
        var team = Unique("team");
        await f.Publish(new TeamCreated { EventId = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow.AddDays(-1), TeamId = team, ActionLineCode = "C2", ActionLineTitle = "Information and communication infrastructure" });
        await f.Until(db => db.TeamCoordinations.AnyAsync(t => t.TeamId == team));
        return team;
    }

    private static CoordinatorDesignated Designation(string team, string org) => new()
    {
        EventId = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow, TeamId = team, ActionLineCode = "C2", StakeholderId = org, StakeholderName = org, DecisionReference = "UNSG/" + org,
    };

    [Fact]
    public async Task A_contribution_sent_before_the_designation_arrives_is_unavailable_with_a_retry_hint_and_its_retry_is_accepted()
    {
        var team = await KnownTeamWithoutCoordinator();
        var org = Unique("org");
        var coordinator = f.Host.As("coord-" + org, [Role.Coordinator], org: org);
        var request = new V1.SubmitContributionRequest { TeamId = team, Year = EventLagFixture.NextYear, Entries = { Entry() }, RequestId = Unique("req") };

        var early = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitContributionAsync(request, coordinator).ResponseAsync);
        AssertRetryHint(early);
        Assert.Contains("has no designated coordinator", early.Status.Detail);

        await f.Publish(Designation(team, org));
        await f.Until(db => db.TeamCoordinations.AnyAsync(t => t.TeamId == team && t.CoordinatorId == org));
        var accepted = await Stocktaking.SubmitContributionAsync(request, coordinator);
        Assert.Equal(org, accepted.SubmittedBy);
        Assert.Equal("C2", accepted.ActionLineCode);
    }

    [Fact]
    public async Task A_partner_retrying_as_the_projects_clients_do_has_its_contribution_accepted_in_one_call_once_the_designation_arrives()
    {
        var team = await KnownTeamWithoutCoordinator();
        var org = Unique("org");
        // The retry policy every client of the project uses (contracts/Clients): UNAVAILABLE is retried, the pushback honoured.
        var attempts = new Attempts(new SocketsHttpHandler());
        using var channel = ServiceChannels.ForAddress(f.Host.Address.ToString(), new global::Grpc.Net.Client.GrpcChannelOptions { HttpHandler = attempts });
        var client = new V1.Stocktaking.StocktakingClient(channel);
        var call = client.SubmitContributionAsync(
            new V1.SubmitContributionRequest { TeamId = team, Year = EventLagFixture.NextYear, Entries = { Entry() }, RequestId = Unique("req") },
            f.Host.As("coord-" + org, [Role.Coordinator], org: org));
        // Teams designates the coordinator once the first attempt has been answered; its event follows.
        await attempts.FirstAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await f.Publish(Designation(team, org));

        var accepted = await call.ResponseAsync;
        Assert.Equal(org, accepted.SubmittedBy);
        Assert.True(attempts.Count >= 2, $"{attempts.Count} attempt(s): the first should have been answered UNAVAILABLE");
    }

    /// <summary>Counts the HTTP/2 requests (one per attempt) the channel sends, and tells when the first was answered.</summary>
    private sealed class Attempts(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _count;

        public int Count => _count;

        public TaskCompletionSource FirstAnswered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (Interlocked.Increment(ref _count) == 1) FirstAnswered.TrySetResult();
            return response;
        }
    }

    [Fact]
    public async Task A_compilation_by_an_officer_whose_election_result_has_not_arrived_is_unavailable_and_its_retry_is_accepted()
    {
        var meeting = Unique("meeting");
        var starts = DateTimeOffset.UtcNow.AddDays(-1);
        var newChair = Unique("org");
        var period = new V1.CompileReportRequest { PeriodStart = $"{EventLagFixture.ThisYear}-01-01", PeriodEnd = $"{EventLagFixture.ThisYear}-12-31", RequestId = Unique("req") };
        var officer = f.Host.As("chair-" + newChair, [Role.Coordinator], org: newChair);

        await f.Publish(new CoordinatorsMeetingConvened { EventId = Guid.NewGuid(), OccurredAt = starts.AddDays(-10), MeetingId = meeting, StartsAt = starts, Venue = "Geneva", ViceChairSeats = 1 });
        await f.Until(db => db.CoordinatorsMeetings.AnyAsync(m => m.MeetingId == meeting));
        var early = await Assert.ThrowsAsync<RpcException>(() => Reports.CompileReportAsync(period, officer).ResponseAsync);
        AssertRetryHint(early);
        Assert.Contains(meeting, early.Status.Detail);

        await f.Publish(new OfficersElected { EventId = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow, MeetingId = meeting, ChairStakeholderId = newChair, ViceChairStakeholderIds = ["org-chair"], TieReported = false });
        await f.Until(db => db.CoordinatorsMeetings.AnyAsync(m => m.MeetingId == meeting && m.ChairId == newChair));
        var draft = await Reports.CompileReportAsync(period, officer);
        Assert.Equal(V1.ReportState.Draft, draft.State);

        // With the result in, a coordinator outside the officers is refused, not asked to wait.
        var outsider = await Assert.ThrowsAsync<RpcException>(() => Reports.CompileReportAsync(period, f.Host.As("other", [Role.Coordinator], org: Unique("org"))).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, outsider.StatusCode);
        Assert.Contains($"chair {newChair}", outsider.Status.Detail);
    }

    [Fact]
    public async Task A_contribution_for_this_year_sent_before_its_procedures_arrive_is_unavailable_and_its_retry_is_accepted()
    {
        var team = await KnownTeamWithoutCoordinator();
        var org = Unique("org");
        await f.Publish(Designation(team, org));
        await f.Until(db => db.TeamCoordinations.AnyAsync(t => t.TeamId == team && t.CoordinatorId == org));
        var coordinator = f.Host.As("coord-" + org, [Role.Coordinator], org: org);
        var request = new V1.SubmitContributionRequest { TeamId = team, Year = EventLagFixture.ThisYear, Entries = { Entry() }, RequestId = Unique("req") };

        var early = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitContributionAsync(request, coordinator).ResponseAsync);
        AssertRetryHint(early);
        Assert.Contains($"no stocktaking procedures for {EventLagFixture.ThisYear}", early.Status.Detail);

        await f.Publish(new StocktakingProceduresSet
        {
            EventId = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow, MeetingId = "meeting-1", Year = EventLagFixture.ThisYear,
            ContributionDeadline = DateTimeOffset.UtcNow.AddDays(30), RequiredFields = ["description"],
        });
        await f.Until(db => db.StocktakingProcedures.AnyAsync(p => p.Year == EventLagFixture.ThisYear));
        var accepted = await Stocktaking.SubmitContributionAsync(request, coordinator);
        Assert.Equal(EventLagFixture.ThisYear, accepted.Year);
    }
}
