using Platform.Domain;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Wsis.Contracts.Clients;
using Platform.Security;
using Wsis.Consultations.V1;
using Wsis.Teams.V1;
using StakeholderCategory = Wsis.Teams.V1.StakeholderCategory;

namespace Wsis.Host;

/// <summary>
/// On an empty database, a small demonstration data set — a team with a designated coordinator,
/// its modalities and a meeting; an open consultation with responses — created by calling the
/// services' own gRPC methods as their users would, so every rule, event and projection runs as in
/// real use. <c>--no-demo-data</c> or <c>Host:DemoData=false</c> skips it.
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

        var issuer = DevelopmentTokenIssuer.FromConfiguration(configuration, time);
        var secretariat = Bearer(issuer.Mint(new DevelopmentTokenRequest("host-demo-secretariat", "Demonstration secretariat", [Role.Secretariat])));

        var itu = await stakeholders.RegisterStakeholderAsync(new RegisterStakeholderRequest
        {
            Name = "International Telecommunication Union",
            Category = StakeholderCategory.IntergovernmentalOrganization,
            CountryCode = "CH",
            ContactEmail = "wsis-demo@example.org",
            RequestId = RequestPrefix + "stakeholder-itu",
        }, secretariat, cancellationToken: cancel);
        var network = await stakeholders.RegisterStakeholderAsync(new RegisterStakeholderRequest
        {
            Name = "Community Networks Alliance (demonstration)",
            Category = StakeholderCategory.CivilSociety,
            CountryCode = "KE",
            ContactEmail = "alliance-demo@example.org",
            RequestId = RequestPrefix + "stakeholder-network",
        }, secretariat, cancellationToken: cancel);
        var institute = await stakeholders.RegisterStakeholderAsync(new RegisterStakeholderRequest
        {
            Name = "Open Standards Institute (demonstration)",
            Category = StakeholderCategory.AcademicAndTechnical,
            CountryCode = "BR",
            ContactEmail = "institute-demo@example.org",
            RequestId = RequestPrefix + "stakeholder-institute",
        }, secretariat, cancellationToken: cancel);

        var team = await teams.CreateTeamAsync(new CreateTeamRequest { ActionLineCode = "C2", RequestId = RequestPrefix + "team-c2" },
            secretariat, cancellationToken: cancel);
        foreach (var member in new[] { itu, network, institute })
        {
            await teams.JoinTeamAsync(new JoinTeamRequest { TeamId = team.Id, StakeholderId = member.Id, RequestId = RequestPrefix + "join-" + member.Id },
                secretariat, cancellationToken: cancel);
        }

        await teams.NominateCoordinatorAsync(new NominateCoordinatorRequest { TeamId = team.Id, StakeholderId = itu.Id, RequestId = RequestPrefix + "nominate" },
            secretariat, cancellationToken: cancel);
        await teams.RecordCoordinatorRecommendationAsync(new RecordCoordinatorRecommendationRequest
        {
            TeamId = team.Id,
            StakeholderId = itu.Id,
            MeetingReference = "Demonstration stakeholder meeting convened by the ITU Secretary-General",
            RequestId = RequestPrefix + "recommend",
        }, secretariat, cancellationToken: cancel);
        await teams.RecordCoordinatorDesignationAsync(new RecordCoordinatorDesignationRequest
        {
            TeamId = team.Id,
            StakeholderId = itu.Id,
            DecisionReference = "Demonstration designation by the UN Secretary-General",
            RequestId = RequestPrefix + "designate",
        }, secretariat, cancellationToken: cancel);

        var coordinator = Bearer(issuer.Mint(new DevelopmentTokenRequest(
            "host-demo-coordinator", "Demonstration coordinator", [Role.Coordinator], Org: itu.Id)));
        await teams.SetCoordinationModalitiesAsync(new SetCoordinationModalitiesRequest
        {
            TeamId = team.Id,
            Text = "The team works by open mailing list and meets twice a year, online and at the WSIS Forum; every stakeholder may join.",
            RequestId = RequestPrefix + "modalities",
        }, coordinator, cancellationToken: cancel);
        var now = time.GetUtcNow();
        var meetingStart = new DateTimeOffset(now.UtcDateTime.Date.AddDays(30).AddHours(12), TimeSpan.Zero);
        await teams.ScheduleTeamMeetingAsync(new ScheduleTeamMeetingRequest
        {
            TeamId = team.Id,
            Title = "C2 team meeting (demonstration)",
            StartsAt = Timestamp.FromDateTimeOffset(meetingStart),
            EndsAt = Timestamp.FromDateTimeOffset(meetingStart.AddHours(2)),
            VenueOrLink = "Online",
            Agenda = "1. Modalities  2. Annual contribution to the stocktaking",
            RequestId = RequestPrefix + "team-meeting",
        }, coordinator, cancellationToken: cancel);

        // A second team, coordinated by the institute, and the meeting of coordinators that elected the
        // institute chair (the development identity provider's "chair" acts for it).
        var access = await teams.CreateTeamAsync(new CreateTeamRequest { ActionLineCode = "C3", RequestId = RequestPrefix + "team-c3" },
            secretariat, cancellationToken: cancel);
        await teams.JoinTeamAsync(new JoinTeamRequest { TeamId = access.Id, StakeholderId = institute.Id, RequestId = RequestPrefix + "join-c3-" + institute.Id },
            secretariat, cancellationToken: cancel);
        await teams.NominateCoordinatorAsync(new NominateCoordinatorRequest { TeamId = access.Id, StakeholderId = institute.Id, RequestId = RequestPrefix + "nominate-c3" },
            secretariat, cancellationToken: cancel);
        await teams.RecordCoordinatorRecommendationAsync(new RecordCoordinatorRecommendationRequest
        {
            TeamId = access.Id,
            StakeholderId = institute.Id,
            MeetingReference = "Demonstration stakeholder meeting convened by the ITU Secretary-General",
            RequestId = RequestPrefix + "recommend-c3",
        }, secretariat, cancellationToken: cancel);
        await teams.RecordCoordinatorDesignationAsync(new RecordCoordinatorDesignationRequest
        {
            TeamId = access.Id,
            StakeholderId = institute.Id,
            DecisionReference = "Demonstration designation by the UN Secretary-General",
            RequestId = RequestPrefix + "designate-c3",
        }, secretariat, cancellationToken: cancel);
        var coordinatorsMeetings = new CoordinatorsMeetings.CoordinatorsMeetingsClient(channel);
        var coordinatorsMeeting = await coordinatorsMeetings.ConveneCoordinatorsMeetingAsync(new ConveneCoordinatorsMeetingRequest
        {
            StartsAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(now.UtcDateTime.Date.AddDays(60).AddHours(9), TimeSpan.Zero)),
            Venue = "Geneva, meeting of coordinators (demonstration)",
            ViceChairSeats = 1,
            Funding =
            {
                new FundingLine { Funder = Funder.Itu, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 2_000_000 } },
                new FundingLine { Funder = Funder.Unesco, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 2_000_000 } },
            },
            RequestId = RequestPrefix + "coordinators-meeting",
        }, secretariat, cancellationToken: cancel);
        await coordinatorsMeetings.NominateOfficerAsync(new NominateOfficerRequest
            { MeetingId = coordinatorsMeeting.Id, Office = Office.Chair, StakeholderId = institute.Id, RequestId = RequestPrefix + "nominate-chair" },
            secretariat, cancellationToken: cancel);
        var instituteCoordinator = Bearer(issuer.Mint(new DevelopmentTokenRequest(
            "host-demo-chair", "Demonstration chair", [Role.Coordinator], Org: institute.Id)));
        foreach (var (voter, name) in new[] { (coordinator, "itu"), (instituteCoordinator, "institute") })
        {
            await coordinatorsMeetings.CastVoteAsync(new CastVoteRequest
                { MeetingId = coordinatorsMeeting.Id, Office = Office.Chair, CandidateIds = { institute.Id }, RequestId = RequestPrefix + "vote-" + name },
                voter, cancellationToken: cancel);
        }

        await coordinatorsMeetings.CloseElectionAsync(new CloseElectionRequest { MeetingId = coordinatorsMeeting.Id }, secretariat, cancellationToken: cancel);

        // The group meeting four months ahead keeps the consultation open for about three months.
        var groupMeeting = await consultations.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
        {
            StartsOn = DateOnly.FromDateTime(now.UtcDateTime.AddMonths(4)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
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

        return true;
    }

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Demonstration data created (C2 and C3 teams with designated coordinators, a meeting of coordinators with an elected chair, an open consultation with responses)")]
    private static partial void LogSeeded(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Demonstration data not created: the databases already hold teams or consultations")]
    private static partial void LogNotEmpty(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Demonstration data skipped (Host:DemoData=false)")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Demonstration data could not be created: {Status} {Detail}")]
    private static partial void LogFailed(ILogger logger, StatusCode status, string detail);
}
