using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Wsis.Consultations.V1;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;
using Xunit.Abstractions;
using StakeholderCategory = Wsis.Teams.V1.StakeholderCategory;

namespace EndToEnd.Tests;

/// <summary>Where a fault may be injected while the mission runs.</summary>
public interface IMissionFaults
{
    /// <summary>The consultation is open; no response has arrived yet.</summary>
    Task ConsultationOpenedAsync() => Task.CompletedTask;

    /// <summary>Every response has been received; the deadline has not passed yet.</summary>
    Task ResponsesReceivedAsync() => Task.CompletedTask;

    /// <summary>The national report is in; the report is about to be compiled.</summary>
    Task BeforeCompilingAsync() => Task.CompletedTask;
}

/// <summary>
/// The whole mission of issue 9, driven through the gateway's gRPC port as its users would: each
/// user with their own token, retrying with the same request id when the system says "not yet"
/// (an event still on its way) or "unavailable" (an instance went away), as a real client does.
/// </summary>
public sealed class Mission(MissionCluster cluster, string label, IReadOnlyList<string> actionLines, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private Stakeholders.StakeholdersClient StakeholdersApi => new(cluster.Channel);
    private Wsis.Teams.V1.Teams.TeamsClient TeamsApi => new(cluster.Channel);
    private CoordinatorsMeetings.CoordinatorsMeetingsClient MeetingsApi => new(cluster.Channel);
    private Wsis.Consultations.V1.Consultations.ConsultationsClient ConsultationsApi => new(cluster.Channel);
    private Stocktaking.StocktakingClient StocktakingApi => new(cluster.Channel);
    private Reports.ReportsClient ReportsApi => new(cluster.Channel);

    /// <summary>How far ahead the Consultations clock runs when the mission starts (earlier runs moved it).</summary>
    public TimeSpan ConsultationsClockOffset { get; set; }

    /// <summary>The Member State that opens the consultation and reports; one national report per country and year, so each run on a shared cluster uses its own.</summary>
    public string MemberStateCountry { get; init; } = "CH";

    public async Task RunAsync(IMissionFaults faults)
    {
        var secretariat = Bearer(cluster.Token($"secretariat-{label}", "secretariat"));
        var memberState = Bearer(cluster.Token($"member-state-{MemberStateCountry.ToLowerInvariant()}-{label}", "member-state", country: MemberStateCountry));

        // The secretariat registers stakeholders and creates the teams.
        var itu = await Call(o => StakeholdersApi.RegisterStakeholderAsync(new RegisterStakeholderRequest
        {
            Name = $"International Telecommunication Union ({label})", Category = StakeholderCategory.IntergovernmentalOrganization,
            CountryCode = "CH", ContactEmail = "wsis@example.org", RequestId = $"{label}-itu",
        }, o), secretariat);
        var unesco = await Call(o => StakeholdersApi.RegisterStakeholderAsync(new RegisterStakeholderRequest
        {
            Name = $"UNESCO ({label})", Category = StakeholderCategory.IntergovernmentalOrganization,
            CountryCode = "FR", ContactEmail = "wsis-unesco@example.org", RequestId = $"{label}-unesco",
        }, o), secretariat);
        var network = await Call(o => StakeholdersApi.RegisterStakeholderAsync(new RegisterStakeholderRequest
        {
            Name = $"Community Networks Alliance ({label})", Category = StakeholderCategory.CivilSociety,
            CountryCode = "KE", ContactEmail = "alliance@example.org", RequestId = $"{label}-network",
        }, o), secretariat);
        var teamA = await Call(o => TeamsApi.CreateTeamAsync(new CreateTeamRequest { ActionLineCode = actionLines[0], RequestId = $"{label}-team-a" }, o), secretariat);
        var teamB = await Call(o => TeamsApi.CreateTeamAsync(new CreateTeamRequest { ActionLineCode = actionLines[1], RequestId = $"{label}-team-b" }, o), secretariat);
        Step("stakeholders registered, teams created");

        // Each team's coordinator is nominated, recommended and designated.
        foreach (var (team, coordinator) in new[] { (teamA, itu), (teamB, unesco) })
        {
            await Call(o => TeamsApi.NominateCoordinatorAsync(new NominateCoordinatorRequest { TeamId = team.Id, StakeholderId = coordinator.Id, RequestId = $"{label}-nominate-{team.Id}" }, o), secretariat);
            await Call(o => TeamsApi.RecordCoordinatorRecommendationAsync(new RecordCoordinatorRecommendationRequest
            {
                TeamId = team.Id, StakeholderId = coordinator.Id, MeetingReference = "Stakeholder meeting convened by the ITU Secretary-General", RequestId = $"{label}-recommend-{team.Id}",
            }, o), secretariat);
            var designated = await Call(o => TeamsApi.RecordCoordinatorDesignationAsync(new RecordCoordinatorDesignationRequest
            {
                TeamId = team.Id, StakeholderId = coordinator.Id, DecisionReference = "Letter of the UN Secretary-General", RequestId = $"{label}-designate-{team.Id}",
            }, o), secretariat);
            Assert.Equal(coordinator.Id, designated.CoordinatorStakeholderId);
        }

        var ituCoordinator = Bearer(cluster.Token($"coordinator-itu-{label}", "coordinator", org: itu.Id));
        var unescoCoordinator = Bearer(cluster.Token($"coordinator-unesco-{label}", "coordinator", org: unesco.Id));
        Step("coordinators designated");

        // The team sets its modalities and a meeting.
        var now = DateTimeOffset.UtcNow;
        await Call(o => TeamsApi.SetCoordinationModalitiesAsync(new SetCoordinationModalitiesRequest
        {
            TeamId = teamA.Id, Text = "Open mailing list; two meetings a year, open to all stakeholders.", RequestId = $"{label}-modalities",
        }, o), ituCoordinator);
        await Call(o => TeamsApi.ScheduleTeamMeetingAsync(new ScheduleTeamMeetingRequest
        {
            TeamId = teamA.Id, Title = "Team meeting", StartsAt = Timestamp.FromDateTimeOffset(now.AddDays(20)), EndsAt = Timestamp.FromDateTimeOffset(now.AddDays(20).AddHours(2)),
            VenueOrLink = "Geneva and online", Agenda = "Annual contribution", RequestId = $"{label}-team-meeting",
        }, o), ituCoordinator);
        var teamWithMeeting = await TeamsApi.GetTeamAsync(new GetTeamRequest { Id = teamA.Id });
        Assert.Single(teamWithMeeting.Meetings);
        Step("modalities and meeting set");

        // The coordinators' meeting, funded by both secretariats, elects its officers and sets the procedures.
        var meeting = await Call(o => MeetingsApi.ConveneCoordinatorsMeetingAsync(new ConveneCoordinatorsMeetingRequest
        {
            StartsAt = Timestamp.FromDateTimeOffset(now.AddDays(10)), Venue = "Geneva", ViceChairSeats = 1, RequestId = $"{label}-coordinators-meeting",
            Funding =
            {
                new FundingLine { Funder = Funder.Itu, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 5_000_000 } },
                new FundingLine { Funder = Funder.Unesco, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 3_000_000 } },
            },
        }, o), secretariat);
        await Call(o => MeetingsApi.NominateOfficerAsync(new NominateOfficerRequest { MeetingId = meeting.Id, Office = Office.Chair, StakeholderId = itu.Id, RequestId = $"{label}-chair" }, o), secretariat);
        await Call(o => MeetingsApi.NominateOfficerAsync(new NominateOfficerRequest { MeetingId = meeting.Id, Office = Office.ViceChair, StakeholderId = unesco.Id, RequestId = $"{label}-vice-chair" }, o), secretariat);
        foreach (var (voter, name) in new[] { (ituCoordinator, "itu"), (unescoCoordinator, "unesco") })
        {
            await Call(o => MeetingsApi.CastVoteAsync(new CastVoteRequest { MeetingId = meeting.Id, Office = Office.Chair, CandidateIds = { itu.Id }, RequestId = $"{label}-vote-chair-{name}" }, o), voter);
            await Call(o => MeetingsApi.CastVoteAsync(new CastVoteRequest { MeetingId = meeting.Id, Office = Office.ViceChair, CandidateIds = { unesco.Id }, RequestId = $"{label}-vote-vice-{name}" }, o), voter);
        }

        var elected = await Call(o => MeetingsApi.CloseElectionAsync(new CloseElectionRequest { MeetingId = meeting.Id }, o), secretariat);
        Assert.Equal(itu.Id, elected.ChairStakeholderId);
        Assert.Equal([unesco.Id], elected.ViceChairStakeholderIds);
        var year = now.Year;
        await Call(o => MeetingsApi.SetStocktakingProceduresAsync(new SetStocktakingProceduresRequest
        {
            MeetingId = meeting.Id, Year = year, ContributionDeadline = Timestamp.FromDateTimeOffset(now.AddDays(30)), RequiredFields = { "title", "description" },
        }, o), ituCoordinator);
        Step("coordinators' meeting: officers elected, procedures set");

        // A Member State opens a consultation for the group's next meeting (in the Consultations clock's time).
        var consultationsNow = now + ConsultationsClockOffset;
        var groupMeetingDay = DateOnly.FromDateTime(consultationsNow.UtcDateTime).AddMonths(1).AddDays(3);
        var groupMeeting = await Call(o => ConsultationsApi.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
        {
            StartsOn = groupMeetingDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Venue = "Geneva", RequestId = $"{label}-group-meeting",
        }, o), secretariat);
        var consultation = await Call(o => ConsultationsApi.OpenConsultationAsync(new OpenConsultationRequest
        {
            MeetingId = groupMeeting.Id, Title = $"Internet public policy consultation {label}", IssueText = "How should affordable access be measured?",
            Questions = { "What should be measured?" }, RequestId = $"{label}-consultation",
        }, o), memberState);
        Assert.Equal(ConsultationState.Open, consultation.State);
        Step("consultation opened");
        await faults.ConsultationOpenedAsync();

        // Responses by web (one with an attachment), by e-mail and by mailing list.
        var attachment = Encoding.UTF8.GetBytes("%PDF-1.4\n% position paper\n");
        var webTexts = new[] { $"Measure price per gigabyte against income ({label}).", $"Measure the share of people online every day ({label})." };
        var webReceipts = new List<Receipt>();
        for (var i = 0; i < webTexts.Length; i++)
        {
            var request = new SubmitResponseRequest
            {
                ConsultationId = consultation.Id, Text = webTexts[i], RequestId = $"{label}-web-{i}",
                Respondent = new Respondent { Name = $"Respondent {i}", Organisation = "Community Networks Alliance", Category = RespondentCategory.CivilSociety, CountryCode = "KE", Email = $"r{i}@example.org" },
            };
            if (i == 0)
            {
                request.Attachments.Add(new AttachmentUpload { FileName = "position.pdf", MediaType = "application/pdf", Content = ByteString.CopyFrom(attachment) });
            }

            webReceipts.Add(await Call(o => ConsultationsApi.SubmitResponseAsync(request, o), new Metadata()));
        }

        var email = RawMessage("Amina Otieno <amina@example.org>", consultation.EmailAddress, "Response to the consultation", $"By e-mail: measure affordability by region ({label}).");
        var byEmail = await Call(o => ConsultationsApi.IngestEmailAsync(new IngestEmailRequest
        {
            RawMessage = ByteString.CopyFrom(email), Channel = Channel.Email, EnvelopeRecipient = consultation.EmailAddress, RequestId = $"{label}-email",
        }, o), secretariat);
        Assert.Equal(IngestOutcome.Published, byEmail.Outcome);
        var listMessage = RawMessage("Lucas Pereira <lucas@example.org>", "cwg-internet-list@example.org", $"{consultation.SubjectTag} Comment from the list", $"From the mailing list: publish the data openly ({label}).");
        var byList = await Call(o => ConsultationsApi.IngestEmailAsync(new IngestEmailRequest
        {
            RawMessage = ByteString.CopyFrom(listMessage), Channel = Channel.MailingList, EnvelopeRecipient = "cwg-internet-list@example.org", RequestId = $"{label}-list",
        }, o), secretariat);
        Assert.Equal(IngestOutcome.Published, byList.Outcome);
        Step("responses received by web, e-mail and mailing list");
        await faults.ResponsesReceivedAsync();

        // The public page and the published files show every response exactly as received.
        var responses = (await Call(o => ConsultationsApi.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 100 }, o), new Metadata())).Responses;
        Assert.Equal(4, responses.Count);
        using var http = new HttpClient { BaseAddress = cluster.GatewayWeb };
        var page = await http.GetStringAsync($"/consultations/{consultation.Id}");
        foreach (var text in webTexts)
        {
            Assert.Contains(System.Net.WebUtility.HtmlEncode(text), page);
        }

        using (var zip = new ZipArchive(new MemoryStream(await http.GetByteArrayAsync($"/consultations/{consultation.Id}/responses.zip"))))
        {
            var files = zip.Entries.ToDictionary(e => e.FullName, e => { using var s = e.Open(); using var m = new MemoryStream(); s.CopyTo(m); return m.ToArray(); });
            // An e-mail's raw message (direct or via the list) carries the sender's address (personal data), so the
            // public files hold its text as read from the message; the raw bytes stay with the secretariat.
            Assert.Contains(files.Values, f => Encoding.UTF8.GetString(f).Contains($"By e-mail: measure affordability by region ({label}).", StringComparison.Ordinal));
            Assert.DoesNotContain(files.Values, f => Encoding.UTF8.GetString(f).Contains("amina@example.org", StringComparison.Ordinal));
            Assert.Contains(files.Values, f => Encoding.UTF8.GetString(f).Contains($"From the mailing list: publish the data openly ({label}).", StringComparison.Ordinal));
            Assert.DoesNotContain(files.Values, f => Encoding.UTF8.GetString(f).Contains("lucas@example.org", StringComparison.Ordinal));
            Assert.Contains(files.Values, f => f.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(webTexts[1])));
            Assert.Contains(files.Values, f => f.AsSpan().SequenceEqual(attachment));
        }

        var attachmentDownload = await http.GetByteArrayAsync($"/responses/{webReceipts[0].ResponseId}/attachments/0");
        Assert.Equal(attachment, attachmentDownload);
        Step("public page and downloads byte-identical");

        // The deadline passes (the Consultations clock moves past it) and the consultation closes by itself.
        ConsultationsClockOffset += TimeSpan.FromDays(6);
        await cluster.SetConsultationsClockAsync(ConsultationsClockOffset);
        var closed = await Until(() => ConsultationsApi.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id }).ResponseAsync,
            c => c.State == ConsultationState.Closed, "the consultation to close after its deadline");
        Assert.Equal(4, closed.PublishedResponseCount);
        var late = await Assert.ThrowsAsync<RpcException>(() => ConsultationsApi.SubmitResponseAsync(new SubmitResponseRequest
        {
            ConsultationId = consultation.Id, Text = "Too late.", Respondent = new Respondent { Name = "Late", Category = RespondentCategory.Individual, CountryCode = "DE", Email = "late@example.org" },
        }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
        Step("deadline passed, consultation closed");

        // The coordinator submits the team's contribution; a Member State its national report.
        var entryTitle = $"Rural broadband programme {label}";
        await Call(o => StocktakingApi.SubmitContributionAsync(new SubmitContributionRequest
        {
            TeamId = teamA.Id, Year = year, RequestId = $"{label}-contribution",
            Entries = { new EntryInput { Title = entryTitle, Description = "Connecting 200 villages.", ActionLineCodes = { actionLines[0] }, CountryCodes = { "KE" }, StakeholderId = network.Id, Status = EntryStatus.Ongoing } },
        }, o), ituCoordinator);
        await Call(o => StocktakingApi.SubmitNationalReportAsync(new SubmitNationalReportRequest
        {
            CountryCode = MemberStateCountry, Year = year, Text = $"National implementation report {label}.", RequestId = $"{label}-national",
            Activities = { new Wsis.Reporting.V1.Activity { Title = "Digital skills for all", Description = "Courses in every canton.", ActionLineCodes = { "C4" } } },
        }, o), memberState);
        Step("contribution and national report submitted");
        await faults.BeforeCompilingAsync();

        // The chair compiles the report to the UN Secretary-General; it shows the consultation's
        // participation and the team's contribution once every event has arrived. Then it is
        // submitted, and the secretariat records its transmission to the General Assembly.
        var chair = Bearer(cluster.Token($"chair-{label}", "coordinator", org: itu.Id));
        var periodStart = new DateOnly(year, 1, 1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var periodEnd = DateOnly.FromDateTime((now + ConsultationsClockOffset).UtcDateTime).AddMonths(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var content = "";
        var compiled = await Until(async () =>
        {
            var report = await Call(o => ReportsApi.CompileReportAsync(new CompileReportRequest { PeriodStart = periodStart, PeriodEnd = periodEnd }, o), chair);
            content = (await ReportsApi.GetReportAsync(new GetReportRequest { Id = report.Id, Format = ReportFormat.Markdown }, chair)).Content;
            return report;
        }, _ => content.Contains(consultation.Title, StringComparison.Ordinal)
                && content.Contains("Responses published: 4.", StringComparison.Ordinal)
                && content.Contains(entryTitle, StringComparison.Ordinal), "a report with the consultation's four responses and the team's contribution");
        var submitted = await Call(o => ReportsApi.SubmitToSecretaryGeneralAsync(new SubmitToSecretaryGeneralRequest { ReportId = compiled.Id }, o), chair);
        Assert.Equal(ReportState.Submitted, submitted.State);
        var transmitted = await Call(o => ReportsApi.RecordTransmissionToGeneralAssemblyAsync(new RecordTransmissionToGeneralAssemblyRequest
        {
            ReportId = compiled.Id, Reference = $"A/81/{label}",
        }, o), secretariat);
        Assert.Equal(ReportState.Transmitted, transmitted.State);
        var published = await ReportsApi.GetReportAsync(new GetReportRequest { Id = compiled.Id, Format = ReportFormat.Markdown });
        Assert.Contains(entryTitle, published.Content);
        Step("report compiled, submitted to the Secretary-General, transmitted to the General Assembly");

        // The same through the JSON API: each service's JSON transcoding, routed by the gateway.
        using (var json = new HttpClient { BaseAddress = cluster.GatewayWeb })
        {
            var report = System.Text.Json.JsonDocument.Parse(await json.GetStringAsync($"/v1/reports/{compiled.Id}?format=MARKDOWN")).RootElement;
            Assert.Contains(entryTitle, report.GetProperty("content").GetString());
            var consultationJson = System.Text.Json.JsonDocument.Parse(await json.GetStringAsync($"/v1/consultations/{consultation.Id}")).RootElement;
            Assert.Equal(consultation.Title, consultationJson.GetProperty("title").GetString());
            Assert.Contains(actionLines[0], await json.GetStringAsync("/v1/action-lines"));
            using var refused = await json.PostAsync("/v1/reports", new StringContent("""{"periodStart":"2026-01-01","periodEnd":"2026-12-31"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(16, System.Text.Json.JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("grpcStatus").GetInt32());
        }
        Step("JSON API through the gateway: Reporting, Consultations and Teams");
    }

    private void Step(string what) => output.WriteLine($"[{label}] {_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    /// <summary>A call as a patient client makes it: "not yet" (an event still on its way: FAILED_PRECONDITION,
    /// PERMISSION_DENIED, NOT_FOUND) and "unavailable" are retried with the same request, and so the same request id.</summary>
    private async Task<T> Call<T>(Func<CallOptions, AsyncUnaryCall<T>> call, Metadata headers)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call(new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)));
            }
            catch (RpcException e) when (deadline.Elapsed < Patience && e.StatusCode is StatusCode.Unavailable or StatusCode.FailedPrecondition
                or StatusCode.PermissionDenied or StatusCode.NotFound or StatusCode.DeadlineExceeded or StatusCode.Internal)
            {
                output.WriteLine($"[{label}] retrying after {e.StatusCode}: {e.Status.Detail}");
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    private async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (deadline.Elapsed > Patience)
            {
                Assert.Fail($"[{label}] no {what} after {Patience.TotalSeconds:0} s; last: {value}\n{cluster.Logs()}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static byte[] RawMessage(string from, string to, string subject, string text) => Encoding.UTF8.GetBytes(
        $"From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} +0000\r\n" +
        $"Message-ID: <{Guid.NewGuid():N}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" +
        $"Content-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n");
}
