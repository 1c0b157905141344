using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain;
using Platform.ServiceDefaults;
using Testing;
using Wsis.Contracts.Events;
using Wsis.Reporting.Model;
using Xunit;
using V1 = Wsis.Reporting.V1;

namespace Wsis.Reporting.Tests;

/// <summary>
/// One Reporting service on PostgreSQL and RabbitMQ, its read models fed through the bus with the
/// events Teams and Consultations publish.
/// </summary>
public sealed class ReportingServiceFixture : IAsyncLifetime
{
    public static readonly int OpenYear = DateTime.UtcNow.Year;
    public static readonly int ClosedYear = DateTime.UtcNow.Year - 1;

    public ReportingHost Host { get; private set; } = null!;
    public RabbitMqNode Rabbit { get; private set; } = null!;

    /// <summary>This fixture's own virtual host: every test class using the fixture gets its own host and
    /// its own queues, so two instances never take each other's events (they did: the second class's
    /// consumers emptied the first one's queues and its read model never reached its state).</summary>
    public string VirtualHost { get; } = $"reporting-{Guid.NewGuid():N}";
    public Dictionary<string, string> TeamOf { get; } = [];
    public Dictionary<string, string> CoordinatorOf { get; } = [];
    public string Chair => CoordinatorOf["C1"];
    public string ViceChair => CoordinatorOf["C5"];
    public string PartnerOrg { get; } = "org-partner";

    public async Task InitializeAsync()
    {
        var postgres = await SharedPostgres.GetAsync();
        Rabbit = await SharedRabbitMq.GetAsync();
        Host = await ReportingHost.StartAsync(await postgres.CreateDatabaseAsync(), await Rabbit.CreateVirtualHostAsync(VirtualHost));

        var t0 = DateTimeOffset.UtcNow.AddDays(-60);
        var events = new List<object>();
        foreach (var line in ActionLines.TopLevel)
        {
            var team = "team-" + line.Code;
            var org = "org-" + line.Code;
            TeamOf[line.Code] = team;
            CoordinatorOf[line.Code] = org;
            events.Add(new StakeholderRegistered { EventId = Guid.NewGuid(), OccurredAt = t0, StakeholderId = org, Name = "Coordinator of " + line.Code, Category = "INTERGOVERNMENTAL_ORGANIZATION", CountryCode = "CH" });
            events.Add(new TeamCreated { EventId = Guid.NewGuid(), OccurredAt = t0, TeamId = team, ActionLineCode = line.Code, ActionLineTitle = line.Title });
            events.Add(new CoordinatorDesignated { EventId = Guid.NewGuid(), OccurredAt = t0.AddDays(1), TeamId = team, ActionLineCode = line.Code, StakeholderId = org, StakeholderName = "Coordinator of " + line.Code, DecisionReference = "UNSG/" + line.Code });
        }
        events.Add(new StakeholderRegistered { EventId = Guid.NewGuid(), OccurredAt = t0, StakeholderId = PartnerOrg, Name = "Community Networks Alliance", Category = "CIVIL_SOCIETY", CountryCode = "KE" });
        events.Add(new CoordinatorsMeetingConvened { EventId = Guid.NewGuid(), OccurredAt = t0, MeetingId = "meeting-1", StartsAt = t0.AddDays(10), Venue = "Geneva", ViceChairSeats = 2 });
        events.Add(new OfficersElected { EventId = Guid.NewGuid(), OccurredAt = t0.AddDays(10), MeetingId = "meeting-1", ChairStakeholderId = Chair, ViceChairStakeholderIds = [ViceChair], TieReported = false });
        events.Add(new StocktakingProceduresSet { EventId = Guid.NewGuid(), OccurredAt = t0.AddDays(10), MeetingId = "meeting-1", Year = OpenYear, ContributionDeadline = new DateTimeOffset(OpenYear + 1, 1, 31, 0, 0, 0, TimeSpan.Zero), RequiredFields = ["description", "country_codes"] });
        events.Add(new StocktakingProceduresSet { EventId = Guid.NewGuid(), OccurredAt = t0.AddDays(10), MeetingId = "meeting-1", Year = ClosedYear, ContributionDeadline = new DateTimeOffset(ClosedYear, 12, 31, 0, 0, 0, TimeSpan.Zero).AddYears(-1), RequiredFields = [] });
        events.Add(new ConsultationOpened { EventId = Guid.NewGuid(), OccurredAt = t0, ConsultationId = "consultation-1", MeetingId = "cwg-1", MeetingStartsOn = "2099-01-01", Title = "Public policy on Internet exchange points", Deadline = t0.AddDays(30) });
        string[] categories = ["CIVIL_SOCIETY", "PRIVATE_SECTOR", "CIVIL_SOCIETY", "GOVERNMENT", "RESPONDENT_CATEGORY_UNSPECIFIED"];
        for (var i = 0; i < categories.Length; i++)
            events.Add(new ResponsePublished { EventId = Guid.NewGuid(), OccurredAt = t0.AddDays(i + 1), ConsultationId = "consultation-1", ResponseId = $"response-{i}", TrackingNumber = $"T{i}", Channel = i % 2 == 0 ? "WEB" : "EMAIL", RespondentCategory = categories[i], CountryCode = i % 2 == 0 ? "KE" : "", Sha256 = new string('a', 64), ReceivedAt = t0.AddDays(i + 1) });

        await Publish(events);
        await Until(async db => await db.StocktakingProcedures.CountAsync() == 2
                                && await db.TeamCoordinations.CountAsync(t => t.CoordinatorId != null) == 11
                                && await db.ConsultationResponses.CountAsync() == categories.Length
                                && await db.CoordinatorsMeetings.AnyAsync(m => m.ChairId != null));
    }

    public async Task Publish(IEnumerable<object> events)
    {
        var bus = Host.Services.GetRequiredService<IBus>();
        foreach (var e in events)
        {
            // As the outbox dispatcher does: the event id is the message id, so a redelivery is recognisable.
            var eventId = (Guid)e.GetType().GetProperty("EventId")!.GetValue(e)!;
            await bus.Publish(e, e.GetType(), ctx => ctx.MessageId = eventId);
        }
    }

    public async Task Until(Func<Data.ReportingDbContext, Task<bool>> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            await using (var db = Host.OpenDatabase())
                if (await condition(db)) return;
            if (DateTime.UtcNow > deadline)
            {
                await using var db = Host.OpenDatabase();
                throw new TimeoutException($"the read model did not reach the expected state: {await db.TeamCoordinations.CountAsync()} teams, " +
                    $"{await db.StocktakingProcedures.CountAsync()} procedures, {await db.ConsultationResponses.CountAsync()} responses, " +
                    $"{await db.Set<Platform.Messaging.InboxMessage>().CountAsync()} inbox rows");
            }
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public class ReportingServiceTests(ReportingServiceFixture f) : IClassFixture<ReportingServiceFixture>
{
    private V1.Stocktaking.StocktakingClient Stocktaking => new(f.Host.Channel);
    private V1.Reports.ReportsClient Reports => new(f.Host.Channel);

    private CallOptions Coordinator(string line) => f.Host.As("coord-" + line, [Role.Coordinator], org: f.CoordinatorOf[line]);
    private CallOptions Secretariat => f.Host.As("sec-1", [Role.Secretariat]);
    private CallOptions MemberState(string country) => f.Host.As("ms-" + country, [Role.MemberState], country: country);

    private static V1.EntryInput Entry(string title = "Community networks in rural areas") => new()
    {
        Title = title,
        Description = "Connecting villages through community-run wireless networks.",
        ActionLineCodes = { "C2", "C7.E-LEARNING" },
        CountryCodes = { "KE", "UG" },
        StakeholderId = "org-partner",
        Url = "https://example.org/community-networks",
        Status = V1.EntryStatus.Ongoing,
    };

    [Fact]
    public async Task The_designated_coordinator_contributes_and_the_entries_enter_the_public_inventory()
    {
        var request = new V1.SubmitContributionRequest { TeamId = f.TeamOf["C2"], Year = ReportingServiceFixture.OpenYear, Entries = { Entry(), Entry("Spectrum for rural broadband") }, RequestId = "c2-" + Guid.NewGuid() };
        var contribution = await Stocktaking.SubmitContributionAsync(request, Coordinator("C2"));
        Assert.Equal("C2", contribution.ActionLineCode);
        Assert.Equal(f.CoordinatorOf["C2"], contribution.SubmittedBy);
        Assert.Equal(2, contribution.Entries.Count);

        // A retry with the same request id gets the first answer, not a second contribution.
        var retry = await Stocktaking.SubmitContributionAsync(request, Coordinator("C2"));
        Assert.Equal(contribution.Id, retry.Id);
        await using (var db = f.Host.OpenDatabase())
            Assert.Equal(1, await db.Contributions.CountAsync(c => c.ContributionId == Guid.Parse(contribution.Id)));

        // Public: no token.
        var found = await Stocktaking.ListInventoryAsync(new V1.ListInventoryRequest { Year = ReportingServiceFixture.OpenYear, ActionLineCode = "C7", CountryCode = "UG", Text = "spectrum RURAL" });
        var entry = Assert.Single(found.Entries, e => e.ContributionId == contribution.Id);
        Assert.Equal("Spectrum for rural broadband", entry.Title);
        Assert.Equal(V1.EntryStatus.Ongoing, entry.Status);
    }

    [Fact]
    public async Task One_inventory_entry_is_read_by_anyone_with_its_contribution_and_unknown_or_malformed_ids_are_named()
    {
        var contribution = await Stocktaking.SubmitContributionAsync(new V1.SubmitContributionRequest
        {
            TeamId = f.TeamOf["C8"], Year = ReportingServiceFixture.OpenYear, Entries = { Entry("Cultural heritage online") }, RequestId = "c8-" + Guid.NewGuid(),
        }, Coordinator("C8"));
        var listed = Assert.Single(contribution.Entries);

        // Public: no token.
        var entry = await Stocktaking.GetInventoryEntryAsync(new V1.GetInventoryEntryRequest { Id = listed.Id });
        Assert.Equal(listed, entry);
        Assert.Equal("Cultural heritage online", entry.Title);
        Assert.Equal(["C2", "C7.E-LEARNING"], entry.ActionLineCodes);
        Assert.Equal(["KE", "UG"], entry.CountryCodes);
        Assert.Equal("org-partner", entry.StakeholderId);
        Assert.Equal("https://example.org/community-networks", entry.Url);
        Assert.Equal(V1.EntryStatus.Ongoing, entry.Status);
        Assert.Equal(ReportingServiceFixture.OpenYear, entry.Year);
        Assert.Equal(f.TeamOf["C8"], entry.TeamId);
        Assert.Equal(contribution.Id, entry.ContributionId);

        var unknown = Guid.NewGuid().ToString();
        var missing = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.GetInventoryEntryAsync(new V1.GetInventoryEntryRequest { Id = unknown }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal($"inventory entry {unknown} does not exist", missing.Status.Detail);
        var bad = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.GetInventoryEntryAsync(new V1.GetInventoryEntryRequest { Id = "e-1\r\n" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal("id 'e-1??' is not an inventory entry id (a UUID)", bad.Status.Detail);
        var empty = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.GetInventoryEntryAsync(new V1.GetInventoryEntryRequest()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.StartsWith("id is required", empty.Status.Detail);
    }

    [Fact]
    public async Task Contributions_are_refused_with_the_status_and_reason_the_rule_gives()
    {
        var year = ReportingServiceFixture.OpenYear;
        var wrongTeam = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitContributionAsync(
            new V1.SubmitContributionRequest { TeamId = f.TeamOf["C3"], Year = year, Entries = { Entry() } }, Coordinator("C2")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, wrongTeam.StatusCode);
        Assert.Contains("designated coordinator", wrongTeam.Status.Detail);

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitContributionAsync(
            new V1.SubmitContributionRequest { TeamId = f.TeamOf["C3"], Year = year, Entries = { Entry() } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);

        var noProcedures = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitContributionAsync(
            new V1.SubmitContributionRequest { TeamId = f.TeamOf["C3"], Year = year + 5, Entries = { Entry() } }, Coordinator("C3")).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, noProcedures.StatusCode);
        Assert.Contains($"{year + 5}", noProcedures.Status.Detail);

        var late = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitContributionAsync(
            new V1.SubmitContributionRequest { TeamId = f.TeamOf["C3"], Year = ReportingServiceFixture.ClosedYear, Entries = { Entry() } }, Coordinator("C3")).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
        Assert.Contains("deadline", late.Status.Detail);

        var bad = Entry();
        bad.CountryCodes.Clear();
        bad.Url = "not a url";
        bad.ActionLineCodes.Add("C12");
        var invalid = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitContributionAsync(
            new V1.SubmitContributionRequest { TeamId = f.TeamOf["C3"], Year = year, Entries = { bad } }, Coordinator("C3")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("entries[0].country_codes", invalid.Status.Detail);
        Assert.Contains("entries[0].url", invalid.Status.Detail);
        Assert.Contains("entries[0].action_line_codes[2]", invalid.Status.Detail);
    }

    [Fact]
    public async Task A_new_designation_arriving_before_an_older_one_decides_who_may_contribute()
    {
        var team = "team-late-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var newer = new CoordinatorDesignated { EventId = Guid.NewGuid(), OccurredAt = now.AddMinutes(-1), TeamId = team, ActionLineCode = "C4", StakeholderId = "org-new", StakeholderName = "New", DecisionReference = "new" };
        var older = new CoordinatorDesignated { EventId = Guid.NewGuid(), OccurredAt = now.AddDays(-30), TeamId = team, ActionLineCode = "C4", StakeholderId = "org-old", StakeholderName = "Old", DecisionReference = "old" };
        var created = new TeamCreated { EventId = Guid.NewGuid(), OccurredAt = now.AddDays(-40), TeamId = team, ActionLineCode = "C4", ActionLineTitle = "Capacity building" };
        await f.Publish([newer, newer, older, created, older]);
        await f.Until(async db => await db.TeamCoordinations.AnyAsync(t => t.TeamId == team && t.ActionLineCode == "C4" && t.DesignationEventId != null));
        // Give the late duplicates time to be consumed, then check they changed nothing.
        await Task.Delay(1000);
        await using (var db = f.Host.OpenDatabase())
            Assert.Equal("org-new", (await db.TeamCoordinations.SingleAsync(t => t.TeamId == team)).CoordinatorId);

        var request = new V1.SubmitContributionRequest { TeamId = team, Year = ReportingServiceFixture.OpenYear, Entries = { Entry() } };
        var denied = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitContributionAsync(request,
            f.Host.As("old", [Role.Coordinator], org: "org-old")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var accepted = await Stocktaking.SubmitContributionAsync(request, f.Host.As("new", [Role.Coordinator], org: "org-new"));
        Assert.Equal("C4", accepted.ActionLineCode);
    }

    [Fact]
    public async Task A_member_state_reports_for_its_own_country_once_a_year()
    {
        var request = new V1.SubmitNationalReportRequest
        {
            CountryCode = "KE", Year = ReportingServiceFixture.OpenYear, Text = "Kenya's implementation of the WSIS outcomes.",
            Activities = { new V1.Activity { Title = "National broadband strategy", ActionLineCodes = { "C2" } } },
            RequestId = "ke-" + Guid.NewGuid(),
        };
        var denied = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitNationalReportAsync(request, MemberState("BR")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        var report = await Stocktaking.SubmitNationalReportAsync(request, MemberState("KE"));
        Assert.Equal(report.Id, (await Stocktaking.SubmitNationalReportAsync(request, MemberState("KE"))).Id);

        request.RequestId = "";
        var second = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.SubmitNationalReportAsync(request, MemberState("KE")).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, second.StatusCode);

        var listed = await Stocktaking.ListNationalReportsAsync(new V1.ListNationalReportsRequest { CountryCode = "KE" });
        Assert.Contains(listed.Reports, r => r.Id == report.Id);
    }

    [Fact]
    public async Task Officers_compile_and_submit_a_report_which_is_then_frozen_public_and_transmitted()
    {
        await Stocktaking.SubmitContributionAsync(new V1.SubmitContributionRequest { TeamId = f.TeamOf["C9"], Year = ReportingServiceFixture.OpenYear, Entries = { Entry("Media literacy") } }, Coordinator("C9"));
        var period = new V1.CompileReportRequest { PeriodStart = $"{ReportingServiceFixture.OpenYear}-01-01", PeriodEnd = $"{ReportingServiceFixture.OpenYear}-12-31" };

        var notOfficer = await Assert.ThrowsAsync<RpcException>(() => Reports.CompileReportAsync(period, Coordinator("C9")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, notOfficer.StatusCode);
        var badPeriod = await Assert.ThrowsAsync<RpcException>(() => Reports.CompileReportAsync(new V1.CompileReportRequest { PeriodStart = "2025-02-30", PeriodEnd = "2025-12-31" }, Secretariat).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badPeriod.StatusCode);
        Assert.Contains("period_start", badPeriod.Status.Detail);

        var draft = await Reports.CompileReportAsync(period, Coordinator("C1")); // the chair
        Assert.Equal(V1.ReportState.Draft, draft.State);
        Assert.Equal("", draft.ContentSha256);

        // Drafts are not public.
        var hidden = await Assert.ThrowsAsync<RpcException>(() => Reports.GetReportAsync(new V1.GetReportRequest { Id = draft.Id, Format = V1.ReportFormat.Html }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, hidden.StatusCode);
        Assert.DoesNotContain((await Reports.ListReportsAsync(new V1.ListReportsRequest())).Reports, r => r.Id == draft.Id);

        // The secretariat compiles but does not submit; a vice-chair does.
        var bySecretariat = await Assert.ThrowsAsync<RpcException>(() => Reports.SubmitToSecretaryGeneralAsync(new V1.SubmitToSecretaryGeneralRequest { ReportId = draft.Id }, Secretariat).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, bySecretariat.StatusCode);
        var submitted = await Reports.SubmitToSecretaryGeneralAsync(new V1.SubmitToSecretaryGeneralRequest { ReportId = draft.Id }, Coordinator("C5"));
        Assert.Equal(V1.ReportState.Submitted, submitted.State);
        var again = await Assert.ThrowsAsync<RpcException>(() => Reports.SubmitToSecretaryGeneralAsync(new V1.SubmitToSecretaryGeneralRequest { ReportId = draft.Id }, Coordinator("C1")).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);

        // Public now; the JSON form is exactly what the hash covers.
        var json = await Reports.GetReportAsync(new V1.GetReportRequest { Id = draft.Id, Format = V1.ReportFormat.Json });
        Assert.Equal(submitted.ContentSha256, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json.Content))));
        var document = CanonicalReport.Deserialize(json.Content);
        Assert.Equal(11, document.Sections.Count);
        Assert.Contains(document.Sections.Single(s => s.Code == "C9").InventoryEntries, e => e.Title == "Media literacy");
        var consultation = Assert.Single(document.Consultations);
        Assert.Equal(5, consultation.ResponseCount);
        Assert.Equal(2, consultation.ByCategory.Single(c => c.Key == "Civil society").Count);

        var html = await Reports.GetReportAsync(new V1.GetReportRequest { Id = draft.Id, Format = V1.ReportFormat.Html });
        Assert.Equal("text/html; charset=utf-8", html.MediaType);
        Assert.Contains("<svg", html.Content);
        Assert.Contains(submitted.ContentSha256, html.Content);
        var markdown = await Reports.GetReportAsync(new V1.GetReportRequest { Id = draft.Id, Format = V1.ReportFormat.Markdown });
        Assert.Contains("## C9 Media", markdown.Content);

        var notSecretariat = await Assert.ThrowsAsync<RpcException>(() => Reports.RecordTransmissionToGeneralAssemblyAsync(new V1.RecordTransmissionToGeneralAssemblyRequest { ReportId = draft.Id, Reference = "A/81/1" }, Coordinator("C1")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, notSecretariat.StatusCode);
        var transmitted = await Reports.RecordTransmissionToGeneralAssemblyAsync(new V1.RecordTransmissionToGeneralAssemblyRequest { ReportId = draft.Id, Reference = "A/81/1" }, Secretariat);
        Assert.Equal(V1.ReportState.Transmitted, transmitted.State);
        Assert.Equal(submitted.ContentSha256, transmitted.ContentSha256);
        Assert.Contains((await Reports.ListReportsAsync(new V1.ListReportsRequest())).Reports, r => r.Id == draft.Id && r.GeneralAssemblyReference == "A/81/1");
    }

    [Fact]
    public async Task Accepted_contributions_and_national_reports_are_announced_on_the_bus()
    {
        // Another service's view: its own queue, bound to Reporting's event types on the same broker.
        // Other tests' events may arrive too: each is kept by its id, and the test waits for its own.
        var contributions = new System.Collections.Concurrent.ConcurrentDictionary<string, ContributionSubmitted>();
        var nationalReports = new System.Collections.Concurrent.ConcurrentDictionary<string, NationalReportSubmitted>();
        var observer = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(f.Rabbit.Host, (ushort)f.Rabbit.Port, f.VirtualHost, h => { h.Username(f.Rabbit.UserName); h.Password(f.Rabbit.Password); });
            cfg.ReceiveEndpoint("reporting-tests-observer-" + Guid.NewGuid().ToString("N")[..8], e =>
            {
                e.AutoDelete = true;
                e.Handler<ContributionSubmitted>(ctx => { contributions[ctx.Message.ContributionId] = ctx.Message; return Task.CompletedTask; });
                e.Handler<NationalReportSubmitted>(ctx => { nationalReports[ctx.Message.ReportId] = ctx.Message; return Task.CompletedTask; });
            });
        });
        await observer.StartAsync();
        try
        {
            var contribution = await Stocktaking.SubmitContributionAsync(new V1.SubmitContributionRequest { TeamId = f.TeamOf["C6"], Year = ReportingServiceFixture.OpenYear, Entries = { Entry(), Entry("Second") } }, Coordinator("C6"));
            var report = await Stocktaking.SubmitNationalReportAsync(new V1.SubmitNationalReportRequest { CountryCode = "JP", Year = ReportingServiceFixture.OpenYear, Text = "Japan." }, MemberState("JP"));

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(contributions.ContainsKey(contribution.Id) && nationalReports.ContainsKey(report.Id)) && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            var announced = Assert.Contains(contribution.Id, (IDictionary<string, ContributionSubmitted>)contributions);
            Assert.Equal(f.TeamOf["C6"], announced.TeamId);
            Assert.Equal(2, announced.EntryCount);
            var national = Assert.Contains(report.Id, (IDictionary<string, NationalReportSubmitted>)nationalReports);
            Assert.Equal("JP", national.CountryCode);
        }
        finally
        {
            await observer.StopAsync();
        }
    }

    [Fact]
    public async Task The_container_health_probe_finds_the_service_serving()
    {
        Assert.Equal(0, await GrpcHealthProbe.RunAsync(f.Host.Address.ToString()));
        var unused = Testing.FreePort.Next();
        Assert.Equal(1, await GrpcHealthProbe.RunAsync($"http://127.0.0.1:{unused}"));
    }

    [Fact]
    public async Task Unknown_reports_and_bad_ids_are_named()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => Reports.GetReportAsync(new V1.GetReportRequest { Id = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var bad = await Assert.ThrowsAsync<RpcException>(() => Reports.GetReportAsync(new V1.GetReportRequest { Id = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var token = await Assert.ThrowsAsync<RpcException>(() => Stocktaking.ListInventoryAsync(new V1.ListInventoryRequest { PageToken = "garbage" }).ResponseAsync);
        Assert.Contains("page_token", token.Status.Detail);
    }

    [Fact]
    public async Task Many_responses_arriving_at_once_each_twice_and_republished_are_counted_once()
    {
        var consultation = "consultation-burst-" + Guid.NewGuid().ToString("N")[..8];
        var t0 = DateTimeOffset.UtcNow.AddDays(-1);
        var responses = Enumerable.Range(0, 300).Select(i => new ResponsePublished
        {
            EventId = Guid.NewGuid(), OccurredAt = t0, ConsultationId = consultation, ResponseId = $"{consultation}-r{i}", TrackingNumber = $"B{i}",
            Channel = "WEB", RespondentCategory = i % 3 == 0 ? "GOVERNMENT" : "CIVIL_SOCIETY", CountryCode = "KE", Sha256 = new string('b', 64), ReceivedAt = t0,
        }).ToList();
        var bus = f.Host.Services.GetRequiredService<IBus>();
        // Every event twice under its id (a redelivery), and a third of them again under a new id
        // (the same response published as another event): the consumer sees them side by side.
        var copies = responses.SelectMany(r => new[] { r, r }).Select(r => (Event: r, MessageId: r.EventId))
            .Concat(responses.Where((_, i) => i % 3 == 0).Select(r => (Event: r, MessageId: Guid.NewGuid())))
            .OrderBy(_ => Random.Shared.Next()).ToList();
        await Task.WhenAll(copies.Select(c => bus.Publish(c.Event, ctx => ctx.MessageId = c.MessageId)));

        await f.Until(async db => await db.Set<Platform.Messaging.InboxMessage>().CountAsync(m => copies.Select(c => c.MessageId).Distinct().Contains(m.MessageId)) == 400);
        await using var db = f.Host.OpenDatabase();
        var stored = await db.ConsultationResponses.Where(r => r.ConsultationId == consultation).Select(r => r.ResponseId).ToListAsync();
        Assert.Equal(responses.Select(r => r.ResponseId).Order(), stored.Order());
        Assert.True(await db.Consultations.AnyAsync(c => c.ConsultationId == consultation), "the consultation row is created by its first response");
    }
}
