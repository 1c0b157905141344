using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Domain;
using Platform.Messaging;
using Wsis.Consultations.V1;
using Wsis.Teams.Data;
using Wsis.Teams.V1;
using Xunit.Abstractions;

using ServiceTelemetry = Platform.ServiceDefaults.Telemetry;

namespace Telemetry.Tests;

/// <summary>
/// One trace from a call to a service, through the event it raised (outbox row, the dispatcher's
/// publish, the bus), to the handler of another service that consumed it: an operator following a
/// slow or failed call sees what it caused, however long after the answer the event went out.
/// </summary>
/// <remarks>
/// In one collection with the other telemetry tests: whether anything listens to an activity
/// source is process-wide, so a test without telemetry must not run beside one with it.
/// </remarks>
[Collection(TelemetryCollection.Name)]
public sealed class TraceAcrossTheOutboxTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string EfCoreSource = "OpenTelemetry.Instrumentation.EntityFrameworkCore";

    [Fact]
    public async Task A_stakeholder_registered_through_Teams_is_one_trace_down_to_Reporting_s_handler_in_the_embedded_mode()
    {
        await using var services = await TracedServices.StartAsync(Deployment.Embedded, "Teams");
        var client = new Stakeholders.StakeholdersClient(services.Channel);

        var registered = await client.RegisterStakeholderAsync(new RegisterStakeholderRequest
        {
            Name = "Réseau Sénégal",
            Category = Wsis.Teams.V1.StakeholderCategory.CivilSociety,
            CountryCode = "SN",
            ContactEmail = "contact@example.sn",
        }, services.As("org-1", Role.Stakeholder, org: "org-1"));

        var (path, trace) = await services.Spans.WaitForPathAsync(
            s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("RegisterStakeholder", StringComparison.Ordinal),
            s => s.Source.Name == MessagingTelemetry.SourceName && s.DisplayName == "handle StakeholderRegistered",
            Patience);
        output.WriteLine(ExportedSpans.Describe(trace));

        var call = path[^1];
        var publish = AssertThroughTheBus(path);
        // Raised in the call's own activity: the row kept exactly that context across the commit.
        Assert.Equal(call.SpanId, publish.ParentSpanId);
        var row = await OutboxRowAsync(services, registered.Id);
        Assert.Equal($"00-{call.TraceId}-{call.SpanId}-01", row);

        // The call's database commands are in its trace; commands outside any trace (the
        // dispatcher's polls, the migrations) are not exported as traces of their own.
        Assert.Contains(trace, s => s.Source.Name == EfCoreSource && s.ParentSpanId == call.SpanId);
        var efSpans = services.Spans.Snapshot().Where(s => s.Source.Name == EfCoreSource).ToList();
        Assert.All(efSpans, s => Assert.NotEqual(default, s.ParentSpanId));

        // Metrics: the host's, the runtime's and the project's own meters.
        services.CollectMetrics();
        var meters = services.Metrics.Snapshot().Select(m => m.MeterName).ToHashSet();
        output.WriteLine("meters: " + string.Join(", ", meters.Order()));
        Assert.Contains(MessagingMetrics.MeterName, meters);
        Assert.Contains("Microsoft.AspNetCore.Hosting", meters);
        Assert.Contains("System.Runtime", meters);
        Assert.Contains(services.Metrics.Snapshot(), m => m.Name == "messaging.outbox.published");
    }

    [Fact]
    public async Task A_response_stored_by_the_group_commit_on_PostgreSQL_is_one_trace_through_RabbitMQ_down_to_Reporting_s_handler()
    {
        await using var services = await TracedServices.StartAsync(Deployment.Cluster, "Consultations");
        var client = new Consultations.ConsultationsClient(services.Channel);
        // The deadline is a month before the meeting: a meeting in three months leaves the consultation open.
        var meeting = await client.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
        {
            StartsOn = DateTime.UtcNow.AddDays(90).ToString("yyyy-MM-dd"),
            Venue = "Geneva, ITU headquarters",
        }, services.As("secretariat-1", Role.Secretariat));
        var consultation = await client.OpenConsultationAsync(new OpenConsultationRequest
        {
            MeetingId = meeting.Id,
            Title = "International Internet connectivity",
            IssueText = "Public policy considerations for international Internet connectivity.",
        }, services.As("ms-ch", Role.MemberState, country: "CH"));

        var receipt = await client.SubmitResponseAsync(new SubmitResponseRequest
        {
            ConsultationId = consultation.Id,
            Respondent = new Respondent { Name = "Amina Diallo", Organisation = "Réseau Sénégal", Category = RespondentCategory.CivilSociety, CountryCode = "SN", Email = "amina@example.sn" },
            Text = "Connectivity is a public good.",
        });

        var (path, trace) = await services.Spans.WaitForPathAsync(
            s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("SubmitResponse", StringComparison.Ordinal),
            s => s.Source.Name == MessagingTelemetry.SourceName && s.DisplayName == "handle ResponsePublished",
            Patience);
        output.WriteLine(ExportedSpans.Describe(trace));

        var call = path[^1];
        var publish = AssertThroughTheBus(path);
        // The row was written by the intake's writer loop for this caller, with a bulk INSERT: it
        // carries the caller's context, not the writer's.
        Assert.Equal(call.SpanId, publish.ParentSpanId);
        Assert.Contains(trace, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer
                                    && s.TagObjects.Any(t => t.Key == "messaging.system" && Equals(t.Value, "rabbitmq")));

        await using var connection = new NpgsqlConnection(services.ConnectionStrings["Consultations"]);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""SELECT "TraceParent" FROM "OutboxMessages" WHERE "Payload"::jsonb ->> 'responseId' = @id""", connection);
        query.Parameters.AddWithValue("id", receipt.ResponseId);
        Assert.Equal($"00-{call.TraceId}-{call.SpanId}-01", await query.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_response_submitted_through_the_gateway_is_one_trace_from_the_gateway_to_Reporting_s_handler()
    {
        await using var services = await TracedServices.StartAsync(Deployment.Embedded, "Consultations");
        using var gateway = await services.StartGatewayAsync();
        var direct = new Consultations.ConsultationsClient(services.Channel);
        var meeting = await direct.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
        {
            StartsOn = DateTime.UtcNow.AddDays(90).ToString("yyyy-MM-dd"),
            Venue = "Geneva, ITU headquarters",
        }, services.As("secretariat-1", Role.Secretariat));
        var consultation = await direct.OpenConsultationAsync(new OpenConsultationRequest
        {
            MeetingId = meeting.Id,
            Title = "Internet exchange points",
            IssueText = "Public policy considerations for Internet exchange points.",
        }, services.As("ms-ch", Role.MemberState, country: "CH"));
        var gatewayAddress = gateway.Target;

        // Through the gateway: YARP forwards the call, HttpClient carries the trace to the service.
        await new Consultations.ConsultationsClient(gateway).SubmitResponseAsync(new SubmitResponseRequest
        {
            ConsultationId = consultation.Id,
            Respondent = new Respondent { Name = "Kofi Mensah", Organisation = "Ghana IXP", Category = RespondentCategory.CivilSociety, CountryCode = "GH", Email = "kofi@example.gh" },
            Text = "Exchange points keep local traffic local.",
        });

        var (path, trace) = await services.Spans.WaitForPathAsync(
            s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("consultations.v1.Consultations", StringComparison.Ordinal)
                 && s.TagObjects.Any(t => t.Key == "server.port" && Equals(Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture), gatewayAddress.Split(':')[^1])),
            s => s.Source.Name == MessagingTelemetry.SourceName && s.DisplayName == "handle ResponsePublished",
            Patience);
        output.WriteLine(ExportedSpans.Describe(trace));

        // From the handler up: the bus, the service's own server span for SubmitResponse, the
        // gateway's forwarded HTTP/2 request (a client span), and the gateway's server span on top.
        AssertThroughTheBus(path.Take(path.Count - 2).ToList());
        var serviceCall = path.Last(s => s.Kind == ActivityKind.Server && s != path[^1]);
        Assert.Contains("SubmitResponse", serviceCall.DisplayName, StringComparison.Ordinal);
        var forwarded = path[path.ToList().IndexOf(serviceCall) + 1];
        Assert.Equal(ActivityKind.Client, forwarded.Kind);
        Assert.Equal(path[^1].SpanId, forwarded.ParentSpanId);
    }

    /// <summary>
    /// The path from the handler up to the call passes the outbox's publish (Producer), then
    /// MassTransit's send, then its consumer's activity, in that order. Returns the publish span.
    /// </summary>
    private static Activity AssertThroughTheBus(IReadOnlyList<Activity> path)
    {
        var publish = path.ToList().FindIndex(s => s.Source.Name == MessagingTelemetry.SourceName && s.Kind == ActivityKind.Producer);
        var send = path.ToList().FindIndex(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer);
        var consume = path.ToList().FindIndex(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer);
        Assert.True(publish > send && send > consume && consume > 0, $"publish at {publish}, send at {send}, consumer at {consume} (the handler is at 0, the call last)");
        return path[publish];
    }

    private static async Task<string?> OutboxRowAsync(TracedServices services, string stakeholderId)
    {
        await using var scope = services.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TeamsDbContext>();
        var rows = await db.Set<OutboxMessage>().AsNoTracking().Where(o => o.AggregateKey == "stakeholder:" + stakeholderId).ToListAsync();
        return Assert.Single(rows).TraceParent;
    }
}

[CollectionDefinition(Name)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}
