using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Domain;
using Platform.Security;
using Wsis.Consultations.V1;
using Wsis.Contracts.Clients;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;
using StakeholderCategory = Wsis.Teams.V1.StakeholderCategory;

namespace Wsis.Host;

/// <summary>
/// On an empty database, a demonstration data set covering a whole cycle — teams with designation
/// histories (one ended), modalities in two versions and a meeting; a coordinators' meeting funded by
/// ITU and UNESCO whose election elects UNESCO chair and reports a tie, with the framework its chair set;
/// stocktaking procedures, two teams' contributions and a national report; a report compiled and
/// submitted by the chair; an open
/// consultation, and one that closes at the end of the next day and is then examined with its results
/// published; an e-mail that names no consultation, for the secretariat to assign — created by calling the services' own gRPC methods as their users would, so every rule,
/// event and projection runs as in real use. <c>--no-demo-data</c> or <c>Host:DemoData=false</c> skips it.
/// </summary>
public sealed partial class DemoData(
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<DemoData> logger) : BackgroundService
{
    // Fixed request ids: if a first seeding stopped half-way, the next start repeats the same calls
    // and the idempotency keys return what was already created instead of creating it twice.
    private const string RequestPrefix = "host-demo-data-";

    /// <summary>Completes when seeding finished, was skipped, or failed (the host keeps serving).</summary>
    public Task Completion => _completion.Task;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!configuration.GetValue(EmbeddedConfiguration.DemoDataKey, true))
            {
                LogSkipped(logger);
                return;
            }

            await WhenStarted(stoppingToken);
            using var channel = ServiceChannels.ForAddress(EmbeddedConfiguration.GrpcAddress(configuration).ToString());
            var seeded = await SeedAsync(channel, stoppingToken);
            if (seeded)
            {
                LogSeeded(logger);
            }
            else
            {
                LogNotEmpty(logger);
            }

            _completion.TrySetResult();
            await FinishCycleAsync(channel, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (RpcException e)
        {
            // The host stays up: demonstration data is a convenience, not a dependency.
            LogFailed(logger, e.StatusCode, e.Status.Detail);
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    private Task WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        return started.Task;
    }

    private async Task<bool> SeedAsync(GrpcChannel channel, CancellationToken cancel)
    {
        var stakeholders = new Stakeholders.StakeholdersClient(channel);
        var teams = new Wsis.Teams.V1.Teams.TeamsClient(channel);
        var consultations = new Wsis.Consultations.V1.Consultations.ConsultationsClient(channel);

        var existingTeams = await teams.ListTeamsAsync(new ListTeamsRequest { PageSize = 1 }, cancellationToken: cancel);
        var existingConsultations = await consultations.ListConsultationsAsync(new ListConsultationsRequest { PageSize = 1 }, cancellationToken: cancel);
        if (existingTeams.Teams.Count > 0 || existingConsultations.Consultations.Count > 0)
        {
            return false;
        }

        var secretariat = Token("host-demo-secretariat", "Demonstration secretariat", Role.Secretariat);

        async Task<Stakeholder> Register(string key, string name, StakeholderCategory category, string country) =>
            await stakeholders.RegisterStakeholderAsync(new RegisterStakeholderRequest
            {
                Name = name,
                Category = category,
                CountryCode = country,
                ContactEmail = key + "-demo@example.org",
                RequestId = RequestPrefix + "stakeholder-" + key,
            }, secretariat, cancellationToken: cancel);

        var itu = await Register("itu", "International Telecommunication Union", StakeholderCategory.IntergovernmentalOrganization, "CH");
        var network = await Register("network", "Community Networks Alliance (demonstration)", StakeholderCategory.CivilSociety, "KE");
        var institute = await Register("institute", "Open Standards Institute (demonstration)", StakeholderCategory.AcademicAndTechnical, "BR");
        var unesco = await Register("unesco", "United Nations Educational, Scientific and Cultural Organization", StakeholderCategory.IntergovernmentalOrganization, "FR");
        var undp = await Register("undp", "United Nations Development Programme", StakeholderCategory.IntergovernmentalOrganization, "US");
        var ministry = await Register("ministry", "Ministry of Information and Communications (demonstration)", StakeholderCategory.Government, "KE");

        async Task<Team> CreateTeam(string line, params Stakeholder[] members)
        {
            var team = await teams.CreateTeamAsync(new CreateTeamRequest { ActionLineCode = line, RequestId = RequestPrefix + "team-" + line },
                secretariat, cancellationToken: cancel);
            foreach (var member in members)
            {
                team = await teams.JoinTeamAsync(new JoinTeamRequest { TeamId = team.Id, StakeholderId = member.Id, RequestId = RequestPrefix + "join-" + line + "-" + member.Id },
                    secretariat, cancellationToken: cancel);
            }

            return team;
        }

        // The three steps of the implementation mechanism: nominated by the secretariat, recommended by a
        // stakeholder meeting convened by the ITU Secretary-General, designated by the UN Secretary-General.
        async Task Designate(Team team, Stakeholder coordinator, string meeting, string decision)
        {
            var key = team.ActionLineCode + "-" + coordinator.Id;
            await teams.NominateCoordinatorAsync(new NominateCoordinatorRequest { TeamId = team.Id, StakeholderId = coordinator.Id, RequestId = RequestPrefix + "nominate-" + key },
                secretariat, cancellationToken: cancel);
            await teams.RecordCoordinatorRecommendationAsync(new RecordCoordinatorRecommendationRequest
            {
                TeamId = team.Id, StakeholderId = coordinator.Id, MeetingReference = meeting, RequestId = RequestPrefix + "recommend-" + key,
            }, secretariat, cancellationToken: cancel);
            await teams.RecordCoordinatorDesignationAsync(new RecordCoordinatorDesignationRequest
            {
                TeamId = team.Id, StakeholderId = coordinator.Id, DecisionReference = decision, RequestId = RequestPrefix + "designate-" + key,
            }, secretariat, cancellationToken: cancel);
        }

        var c2 = await CreateTeam("C2", itu, network, institute);
        await Designate(c2, itu, "Demonstration stakeholder meeting convened by the ITU Secretary-General", "Demonstration designation by the UN Secretary-General");
        var c3 = await CreateTeam("C3", unesco, institute);
        await Designate(c3, unesco, "Demonstration stakeholder meeting convened by the ITU Secretary-General", "Demonstration designation by the UN Secretary-General (C3)");
        // C1's history has two designations: the first coordinator's ends when the second is designated.
        // UNDP coordinates it without being a member (the public pages show it by name all the same).
        var c1 = await CreateTeam("C1", network, ministry);
        await Designate(c1, network, "First demonstration stakeholder meeting", "First demonstration decision of the UN Secretary-General (C1)");
        await Designate(c1, undp, "Second demonstration stakeholder meeting", "Second demonstration decision of the UN Secretary-General (C1)");

        var coordinatorItu = Token("host-demo-coordinator", "Demonstration coordinator", Role.Coordinator, org: itu.Id);
        var coordinatorUnesco = Token("host-demo-coordinator-unesco", "Demonstration coordinator (UNESCO)", Role.Coordinator, org: unesco.Id);
        var coordinatorUndp = Token("host-demo-coordinator-undp", "Demonstration coordinator (UNDP)", Role.Coordinator, org: undp.Id);
        await teams.SetCoordinationModalitiesAsync(new SetCoordinationModalitiesRequest
        {
            TeamId = c2.Id,
            Text = "The team works by open mailing list and meets once a year at the WSIS Forum; every stakeholder may join.",
            RequestId = RequestPrefix + "modalities-1",
        }, coordinatorItu, cancellationToken: cancel);
        await teams.SetCoordinationModalitiesAsync(new SetCoordinationModalitiesRequest
        {
            TeamId = c2.Id,
            Text = "The team works by open mailing list and meets twice a year, online and at the WSIS Forum; every stakeholder may join.",
            RequestId = RequestPrefix + "modalities",
        }, coordinatorItu, cancellationToken: cancel);
        var now = time.GetUtcNow();
        var meetingStart = new DateTimeOffset(now.UtcDateTime.Date.AddDays(30).AddHours(12), TimeSpan.Zero);
        await teams.ScheduleTeamMeetingAsync(new ScheduleTeamMeetingRequest
        {
            TeamId = c2.Id,
            Title = "C2 team meeting (demonstration)",
            StartsAt = Timestamp.FromDateTimeOffset(meetingStart),
            EndsAt = Timestamp.FromDateTimeOffset(meetingStart.AddHours(2)),
            VenueOrLink = "Online",
            Agenda = "1. Modalities  2. Annual contribution to the stocktaking",
            RequestId = RequestPrefix + "team-meeting",
        }, coordinatorItu, cancellationToken: cancel);

        await SeedCoordinatorsMeetingAsync(channel, secretariat, (itu, coordinatorItu), (unesco, coordinatorUnesco), (undp, coordinatorUndp), now, cancel);
        await SeedStocktakingAsync(channel, (c2, coordinatorItu), (c3, coordinatorUnesco), now, cancel);
        await SeedConsultationsAsync(consultations, secretariat, now, cancel);
        // UNESCO is the elected chair: the development provider's chair persona acts for it.
        await SeedReportAsync(channel, coordinatorUnesco, now, cancel);
        return true;
    }

    /// <summary>
    /// The meeting of coordinators, funded by both secretariats, elects its officers: the three designated
    /// coordinators vote; UNESCO is elected chair, the one vice-chair seat ends in a tie between ITU and UNDP
    /// (one coordinator does not vote for it), which the meeting reports rather than breaks. The chair sets
    /// the framework, the secretariat this year's stocktaking procedures.
    /// </summary>
    private async Task SeedCoordinatorsMeetingAsync(GrpcChannel channel, Metadata secretariat,
        (Stakeholder Org, Metadata Token) itu, (Stakeholder Org, Metadata Token) unesco, (Stakeholder Org, Metadata Token) undp, DateTimeOffset now, CancellationToken cancel)
    {
        var meetings = new CoordinatorsMeetings.CoordinatorsMeetingsClient(channel);
        var meeting = await meetings.ConveneCoordinatorsMeetingAsync(new ConveneCoordinatorsMeetingRequest
        {
            StartsAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(now.UtcDateTime.Date.AddDays(20).AddHours(8), TimeSpan.Zero)),
            Venue = "Geneva, ITU headquarters (demonstration)",
            Funding =
            {
                new FundingLine { Funder = Funder.Itu, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 12_000_000 } },
                new FundingLine { Funder = Funder.Unesco, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 8_000_000 } },
            },
            ViceChairSeats = 1,
            RequestId = RequestPrefix + "coordinators-meeting",
        }, secretariat, cancellationToken: cancel);

        foreach (var (office, candidate) in new[] { (Office.Chair, unesco.Org), (Office.ViceChair, itu.Org), (Office.ViceChair, undp.Org) })
        {
            await meetings.NominateOfficerAsync(new NominateOfficerRequest
            {
                MeetingId = meeting.Id, Office = office, StakeholderId = candidate.Id, RequestId = RequestPrefix + "officer-" + office + "-" + candidate.Id,
            }, secretariat, cancellationToken: cancel);
        }

        async Task Vote(Metadata voter, string key, Office office, Stakeholder candidate) =>
            await meetings.CastVoteAsync(new CastVoteRequest
            {
                MeetingId = meeting.Id, Office = office, CandidateIds = { candidate.Id }, RequestId = RequestPrefix + "vote-" + key + "-" + office,
            }, voter, cancellationToken: cancel);

        await Vote(itu.Token, "itu", Office.Chair, unesco.Org);
        await Vote(unesco.Token, "unesco", Office.Chair, unesco.Org);
        await Vote(undp.Token, "undp", Office.Chair, unesco.Org);
        await Vote(itu.Token, "itu", Office.ViceChair, undp.Org);
        await Vote(unesco.Token, "unesco", Office.ViceChair, itu.Org);
        await meetings.CloseElectionAsync(new CloseElectionRequest { MeetingId = meeting.Id, RequestId = RequestPrefix + "close-election-" + meeting.Id }, secretariat, cancellationToken: cancel);

        await meetings.SetImplementationFrameworkAsync(new SetImplementationFrameworkRequest
        {
            MeetingId = meeting.Id,
            RequestId = RequestPrefix + "framework-" + meeting.Id,
            Text = "Each team reports once a year on its action line; the stocktaking gathers the teams' contributions and the national reports; the Chair reports to the UN Secretary-General.",
        }, unesco.Token, cancellationToken: cancel);
        await meetings.SetStocktakingProceduresAsync(new SetStocktakingProceduresRequest
        {
            MeetingId = meeting.Id,
            Year = now.Year,
            ContributionDeadline = Timestamp.FromDateTimeOffset(now.AddDays(60)),
            RequiredFields = { "url", "country_codes" },
            RequestId = RequestPrefix + "procedures-" + meeting.Id,
        }, secretariat, cancellationToken: cancel);
    }

    /// <summary>Two teams' contributions to this year's inventory and a national report. Reporting learns the
    /// designations and procedures from Teams' events: until they arrive it answers UNAVAILABLE, and the call is repeated.</summary>
    private async Task SeedStocktakingAsync(GrpcChannel channel, (Team Team, Metadata Coordinator) c2, (Team Team, Metadata Coordinator) c3, DateTimeOffset now, CancellationToken cancel)
    {
        var stocktaking = new Wsis.Reporting.V1.Stocktaking.StocktakingClient(channel);
        await WhenReportingKnows(() => stocktaking.SubmitContributionAsync(new SubmitContributionRequest
        {
            TeamId = c2.Team.Id,
            Year = now.Year,
            Entries =
            {
                new EntryInput { Title = "Community networks in rural Kenya (demonstration)", Description = "Small operators bring connectivity to 40 villages.", ActionLineCodes = { "C2" }, CountryCodes = { "KE" }, Url = "https://example.org/community-networks", Status = EntryStatus.Ongoing },
                new EntryInput { Title = "Open Internet exchange points (demonstration)", Description = "Local traffic kept local in three capitals.", ActionLineCodes = { "C2" }, CountryCodes = { "BR", "SN" }, Url = "https://example.org/ixp", Status = EntryStatus.Completed },
                new EntryInput { Title = "Broadband mapping (demonstration)", Description = "A public map of coverage and prices.", ActionLineCodes = { "C2", "C7.E-GOVERNMENT" }, CountryCodes = { "KE" }, Url = "https://example.org/map", Status = EntryStatus.Planned },
            },
            RequestId = RequestPrefix + "contribution-c2",
        }, c2.Coordinator, cancellationToken: cancel).ResponseAsync, cancel);
        await WhenReportingKnows(() => stocktaking.SubmitContributionAsync(new SubmitContributionRequest
        {
            TeamId = c3.Team.Id,
            Year = now.Year,
            Entries =
            {
                new EntryInput { Title = "Open educational resources in four languages (demonstration)", Description = "Course material free to reuse.", ActionLineCodes = { "C3", "C7.E-LEARNING" }, CountryCodes = { "FR", "SN" }, Url = "https://example.org/oer", Status = EntryStatus.Ongoing },
            },
            RequestId = RequestPrefix + "contribution-c3",
        }, c3.Coordinator, cancellationToken: cancel).ResponseAsync, cancel);

        var kenya = Token("host-demo-member-state-ke", "Demonstration Member State (Kenya)", Role.MemberState, country: "KE");
        await WhenReportingKnows(() => stocktaking.SubmitNationalReportAsync(new SubmitNationalReportRequest
        {
            CountryCode = "KE",
            Year = now.Year,
            Text = "Kenya's national implementation report (demonstration): schools and clinics connected, a national broadband map published.",
            Activities =
            {
                new Activity { Title = "Schools online", Description = "1,200 schools connected by fibre and satellite.", ActionLineCodes = { "C2", "C7.E-LEARNING" } },
                new Activity { Title = "Digital health records", Description = "County clinics share records securely.", ActionLineCodes = { "C7.E-HEALTH" } },
            },
            RequestId = RequestPrefix + "national-report-ke",
        }, kenya, cancellationToken: cancel).ResponseAsync, cancel);
    }

    /// <summary>
    /// An open consultation with responses, and one whose deadline is the end of today or tomorrow (Geneva
    /// time): it closes by itself, and <see cref="FinishCycleAsync"/> then records its examination and
    /// publishes its results. A deadline cannot be set in the past (the service computes it), so the closed
    /// consultation appears once that day has ended.
    /// </summary>
    private async Task SeedConsultationsAsync(Wsis.Consultations.V1.Consultations.ConsultationsClient consultations, Metadata secretariat, DateTimeOffset now, CancellationToken cancel)
    {
        // Days of the group's meetings are Geneva days (the service computes the deadline in Geneva time).
        var genevaToday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Geneva).DateTime);

        // The group meeting four months ahead keeps the consultation open for about three months.
        var groupMeeting = await consultations.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
        {
            StartsOn = genevaToday.AddMonths(4).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Venue = "Geneva",
            RequestId = RequestPrefix + "group-meeting",
        }, secretariat, cancellationToken: cancel);
        var consultation = await consultations.OpenConsultationAsync(new OpenConsultationRequest
        {
            MeetingId = groupMeeting.Id,
            Title = "Meaningful connectivity (demonstration)",
            IssueText = "How can the remaining barriers to affordable and meaningful connectivity be addressed?",
            Questions = { "Which barriers matter most where you work?", "Which policies have worked?" },
            RequestId = RequestPrefix + "consultation",
        }, secretariat, cancellationToken: cancel);

        var responses = new (string Name, string Organisation, RespondentCategory Category, string Country, string Text)[]
        {
            ("Amina Otieno", "Community Networks Alliance (demonstration)", RespondentCategory.CivilSociety, "KE",
                "Licence-exempt spectrum and small-operator licences lowered costs in rural areas."),
            ("Lucas Pereira", "Open Standards Institute (demonstration)", RespondentCategory.AcademicAndTechnical, "BR",
                "Open interconnection at local exchange points keeps traffic local and prices down."),
        };
        foreach (var (name, organisation, category, country, text) in responses)
        {
            await consultations.SubmitResponseAsync(new SubmitResponseRequest
            {
                ConsultationId = consultation.Id,
                Respondent = new Respondent { Name = name, Organisation = organisation, Category = category, CountryCode = country, Email = "respondent-demo@example.org" },
                Text = text,
                RequestId = RequestPrefix + "response-" + country,
            }, cancellationToken: cancel);
        }

        // One month and a day ahead: the deadline is the end of (about) tomorrow in Geneva, never a day
        // already over there (a UTC day would be, in the hours after midnight in Geneva).
        var closingMeeting = await consultations.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
        {
            StartsOn = genevaToday.AddMonths(1).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Venue = "Geneva",
            RequestId = RequestPrefix + "group-meeting-closing",
        }, secretariat, cancellationToken: cancel);
        var closing = await consultations.OpenConsultationAsync(new OpenConsultationRequest
        {
            MeetingId = closingMeeting.Id,
            Title = ClosingTitle,
            IssueText = "Which public policies should govern cross-border data flows?",
            Questions = { "Which rules help trust?", "Which rules hinder development?" },
            RequestId = RequestPrefix + "consultation-closing",
        }, secretariat, cancellationToken: cancel);
        const string Campaign = "We support interoperable, rights-respecting rules for data flows.";
        var closingResponses = new (string Key, string Name, string Organisation, RespondentCategory Category, string Country, string Text)[]
        {
            ("1", "Ministry of Information and Communications (demonstration)", "Ministry of Information and Communications (demonstration)", RespondentCategory.Government, "KE",
                "Data protection and cross-border flows go together: adequacy arrangements should be regional."),
            ("2", "Camille Martin", "", RespondentCategory.Individual, "FR", Campaign),
            ("3", "Sipho Dlamini", "", RespondentCategory.Individual, "ZA", Campaign),
            ("4", "Open Standards Institute (demonstration)", "Open Standards Institute (demonstration)", RespondentCategory.AcademicAndTechnical, "BR",
                "Open standards for data portability matter more than localisation rules."),
        };
        foreach (var (key, name, organisation, category, country, text) in closingResponses)
        {
            await consultations.SubmitResponseAsync(new SubmitResponseRequest
            {
                ConsultationId = closing.Id,
                Respondent = new Respondent { Name = name, Organisation = organisation, Category = category, CountryCode = country, Email = "respondent-demo@example.org" },
                Text = text,
                RequestId = RequestPrefix + "response-closing-" + key,
            }, cancellationToken: cancel);
        }

        // A response by e-mail, as the Secretariat's mail gateway passes it on.
        var message = "From: Data Rights Network <network-demo@example.org>\r\nTo: " + closing.EmailAddress + "\r\nSubject: Response on data flows\r\n"
            + "Message-ID: <host-demo-closing-email@example.org>\r\nDate: " + now.ToString("r", System.Globalization.CultureInfo.InvariantCulture)
            + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFlows of personal data need enforceable safeguards wherever the data goes.\r\n";
        await consultations.IngestEmailAsync(new IngestEmailRequest
        {
            RawMessage = Google.Protobuf.ByteString.CopyFromUtf8(message),
            Channel = Channel.Email,
            EnvelopeRecipient = closing.EmailAddress,
            RequestId = RequestPrefix + "response-closing-email",
        }, secretariat, cancellationToken: cancel);

        // An e-mail whose address and subject name no consultation: kept, unassigned, in the secretariat's
        // workspace until someone assigns it (to the open consultation, which it answers).
        var unassigned = "From: Rural Libraries Network <libraries-demo@example.org>\r\nTo: cwg-internet-demo@example.org\r\nSubject: Our views on meaningful connectivity\r\n"
            + "Message-ID: <host-demo-unassigned-email@example.org>\r\nDate: " + now.ToString("r", System.Globalization.CultureInfo.InvariantCulture)
            + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPublic libraries are where many people first go online: count them among the places of meaningful connectivity.\r\n";
        await consultations.IngestEmailAsync(new IngestEmailRequest
        {
            RawMessage = Google.Protobuf.ByteString.CopyFromUtf8(unassigned),
            Channel = Channel.Email,
            EnvelopeRecipient = "cwg-internet-demo@example.org",
            RequestId = RequestPrefix + "unassigned-email",
        }, secretariat, cancellationToken: cancel);
    }

    /// <summary>A report compiled by the chair from this year's contributions, national reports and
    /// consultations, and submitted to the UN Secretary-General.</summary>
    private async Task SeedReportAsync(GrpcChannel channel, Metadata chair, DateTimeOffset now, CancellationToken cancel)
    {
        var reports = new Wsis.Reporting.V1.Reports.ReportsClient(channel);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var report = await WhenReportingKnows(() => reports.CompileReportAsync(new CompileReportRequest
        {
            PeriodStart = new DateOnly(today.Year, 1, 1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            PeriodEnd = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            RequestId = RequestPrefix + "report",
        }, chair, cancellationToken: cancel).ResponseAsync, cancel);
        await WhenReportingKnows(() => reports.SubmitToSecretaryGeneralAsync(new SubmitToSecretaryGeneralRequest { ReportId = report.Id, RequestId = RequestPrefix + "report-submission-" + report.Id }, chair, cancellationToken: cancel).ResponseAsync, cancel);
    }

    private const string ClosingTitle = "Cross-border data flows (demonstration)";

    private static readonly TimeZoneInfo Geneva = TimeZoneInfo.FindSystemTimeZoneById("Europe/Zurich");

    /// <summary>
    /// Completes the demonstration cycle of the consultation that closes soon: waits for its deadline
    /// (the service closes it by itself), then records the group's examination and publishes the results.
    /// Runs at every start, so a host stopped before the deadline finishes the cycle when started again.
    /// </summary>
    private async Task FinishCycleAsync(GrpcChannel channel, CancellationToken cancel)
    {
        var consultations = new Wsis.Consultations.V1.Consultations.ConsultationsClient(channel);
        var secretariat = Token("host-demo-secretariat", "Demonstration secretariat", Role.Secretariat);
        var list = await consultations.ListConsultationsAsync(new ListConsultationsRequest { PageSize = 50 }, cancellationToken: cancel);
        var closing = list.Consultations.FirstOrDefault(c => c.Title == ClosingTitle);
        if (closing is null || closing.State is ConsultationState.ResultsPublished)
        {
            return;
        }

        var wait = closing.Deadline.Instant.ToDateTimeOffset() - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait + TimeSpan.FromSeconds(5), time, cancel);
        }

        while (closing.State == ConsultationState.Open)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), time, cancel);
            closing = await consultations.GetConsultationAsync(new GetConsultationRequest { Id = closing.Id }, cancellationToken: cancel);
        }

        if (closing.State == ConsultationState.Closed)
        {
            closing = await consultations.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = closing.Id, MeetingId = closing.MeetingId, RequestId = RequestPrefix + "examination-" + closing.Id },
                secretariat, cancellationToken: cancel);
        }

        await consultations.PublishResultsAsync(new PublishResultsRequest
        {
            ConsultationId = closing.Id,
            RequestId = RequestPrefix + "results-" + closing.Id,
            Summary = "The group examined every response (demonstration). Most respondents asked for interoperable, rights-respecting rules; "
                + "two identical responses came from one campaign; governments asked for regional arrangements. The group will take this up at its next meeting.",
        }, secretariat, cancellationToken: cancel);
        LogCycleFinished(logger);
    }

    /// <summary>Repeats a Reporting call that is UNAVAILABLE because an event it depends on has not arrived yet (at most a minute).</summary>
    private async Task<T> WhenReportingKnows<T>(Func<Task<T>> call, CancellationToken cancel)
    {
        var until = time.GetUtcNow().AddMinutes(1);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && time.GetUtcNow() < until)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancel);
            }
        }
    }

    private Metadata Token(string sub, string name, string role, string? org = null, string? country = null) =>
        Bearer(DevelopmentTokenIssuer.FromConfiguration(configuration, time).Mint(new DevelopmentTokenRequest(sub, name, [role], Country: country, Org: org)));

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Demonstration cycle finished: the closed consultation was examined and its results published")]
    private static partial void LogCycleFinished(ILogger logger);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Demonstration data created (teams C1, C2, C3 with designation histories, a coordinators' meeting electing UNESCO chair with a tie for vice-chair, procedures, contributions, a national report, a submitted report, an open consultation, one closing soon and an unassigned e-mail)")]
    private static partial void LogSeeded(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Demonstration data not created: the databases already hold teams or consultations")]
    private static partial void LogNotEmpty(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Demonstration data skipped (Host:DemoData=false)")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Demonstration data could not be created: {Status} {Detail}")]
    private static partial void LogFailed(ILogger logger, StatusCode status, string detail);
}
