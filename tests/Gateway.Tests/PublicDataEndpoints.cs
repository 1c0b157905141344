using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Wsis.Consultations.V1;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;

namespace Gateway.Tests;

/// <summary>What the services answer to the public pages, served over real HTTP/2 gRPC framing
/// by the test backend: one open consultation with a response that contains markup, a team, an
/// inventory and a submitted report.</summary>
public static class PublicDataEndpoints
{
    public const string ConsultationId = "c-1";
    public const string ResponseId = "r-1";
    /// <summary>A consultation with <see cref="PagedCount"/> responses served two per page (more pages than a page of links would follow).</summary>
    public const string PagedConsultationId = "c-paged";
    public const int PagedCount = 150;
    /// <summary>A consultation whose second page of responses the service fails to give.</summary>
    public const string BrokenConsultationId = "c-broken";
    /// <summary>A consultation whose second page waits for <see cref="SecondPageGate"/>.</summary>
    public const string GatedConsultationId = "c-gated";
    public static readonly TaskCompletionSource SecondPageGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public const string HostileText = "<script>alert('x')</script> & <b>bold</b>";
    public static readonly byte[] AttachmentBytes = "<html><script>alert(1)</script></html>"u8.ToArray();

    /// <summary>E-mail responses with each DKIM outcome the service records.</summary>
    public static readonly IReadOnlyDictionary<string, Wsis.Consultations.V1.Response> EmailResponses = new[]
    {
        ("r-dkim-pass", DkimResult.DkimPass, "ministry.example"),
        ("r-dkim-fail", DkimResult.DkimFail, "forged.example"),
        ("r-dkim-none", DkimResult.DkimNone, ""),
    }.ToDictionary(e => e.Item1, e => new Wsis.Consultations.V1.Response
    {
        Id = e.Item1,
        ConsultationId = ConsultationId,
        TrackingNumber = "CWG-2027-" + e.Item1,
        Channel = Channel.Email,
        ReceivedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 1, 11, 9, 30, 0, TimeSpan.Zero)),
        Sha256 = new string('c', 64),
        PublishedSha256 = new string('e', 64),
        LeafIndex = 4,
        Respondent = new Respondent { Name = "Grace Hopper", Category = RespondentCategory.Government },
        Subject = "Our response",
        Text = "Connectivity is a public good.",
        Published = true,
        DkimResult = e.Item2,
        DkimDomain = e.Item3,
    });

    public static readonly Consultation Consultation = new()
    {
        Id = ConsultationId,
        Title = "Public policy on Internet connectivity",
        IssueText = "How should developing countries be connected?",
        Questions = { "What are the barriers?", "Which policies help?" },
        State = ConsultationState.Open,
        OpenedAt = At(2026, 8, 1),
        EmailAddress = "cwg-c1@example.org",
        PublishedResponseCount = 1,
        Deadline = new ResponseDeadline
        {
            // As the service gives it: the first late instant, midnight starting 1 March in Geneva.
            Instant = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 2, 28, 23, 0, 0, TimeSpan.Zero)),
            GenevaTime = "2027-03-01T00:00:00+01:00",
            TimeZone = "Europe/Zurich",
        },
    };

    public static readonly Wsis.Consultations.V1.Response Response = new()
    {
        Id = ResponseId,
        ConsultationId = ConsultationId,
        TrackingNumber = "CWG-2027-0001",
        Channel = Channel.Web,
        ReceivedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 1, 10, 9, 30, 0, TimeSpan.Zero)),
        Sha256 = new string('a', 64),
        Respondent = new Respondent { Name = "Ada Lovelace", Organisation = "Analytical Society", Category = RespondentCategory.CivilSociety },
        Text = HostileText,
        Published = true,
        Attachments = { new AttachmentInfo { Index = 0, FileName = "../evil.html", MediaType = "text/html", Size = AttachmentBytes.Length, Sha256 = new string('b', 64) } },
    };

    private static Timestamp At(int y, int m, int d) => Timestamp.FromDateTimeOffset(new DateTimeOffset(y, m, d, 9, 0, 0, TimeSpan.Zero));

    public static readonly Dictionary<string, Stakeholder> Stakeholders = new()
    {
        ["s-itu"] = new Stakeholder { Id = "s-itu", Name = "ITU", Category = Wsis.Teams.V1.StakeholderCategory.IntergovernmentalOrganization, CountryCode = "CH" },
        ["s-2"] = new Stakeholder { Id = "s-2", Name = "UNESCO", Category = Wsis.Teams.V1.StakeholderCategory.IntergovernmentalOrganization, CountryCode = "FR" },
        ["s-undp"] = new Stakeholder { Id = "s-undp", Name = "United Nations Development Programme", Category = Wsis.Teams.V1.StakeholderCategory.IntergovernmentalOrganization, CountryCode = "US" },
    };

    /// <summary>C1: ITU designated (after UNESCO, whose designation ended), a member; two versions of modalities; a meeting.</summary>
    public static readonly Team TeamC1 = new()
    {
        Id = "t-c1", ActionLineCode = "C1", ActionLineTitle = "The role of public governance authorities",
        CoordinatorStakeholderId = "s-itu", DesignationState = DesignationState.Designated,
        Members = { new TeamMember { StakeholderId = "s-itu", StakeholderName = "ITU" }, new TeamMember { StakeholderId = "s-2", StakeholderName = "UNESCO" } },
        DesignationHistory =
        {
            new CoordinatorStep { StakeholderId = "s-2", State = DesignationState.Nominated, RecordedAt = At(2025, 1, 5) },
            new CoordinatorStep { StakeholderId = "s-2", State = DesignationState.Recommended, Reference = "Stakeholder meeting of 20 January 2025", RecordedAt = At(2025, 1, 20) },
            new CoordinatorStep { StakeholderId = "s-2", State = DesignationState.Designated, Reference = "UNSG decision 2025/07", RecordedAt = At(2025, 2, 1) },
            new CoordinatorStep { StakeholderId = "s-itu", State = DesignationState.Nominated, RecordedAt = At(2026, 1, 5) },
            new CoordinatorStep { StakeholderId = "s-itu", State = DesignationState.Recommended, Reference = "Stakeholder meeting of 18 January 2026", RecordedAt = At(2026, 1, 18) },
            new CoordinatorStep { StakeholderId = "s-itu", State = DesignationState.Designated, Reference = "UNSG decision 2026/03", RecordedAt = At(2026, 2, 1) },
        },
        Designations =
        {
            new CoordinatorDesignationRecord { StakeholderId = "s-2", DecisionReference = "UNSG decision 2025/07", DesignatedAt = At(2025, 2, 1), EndedAt = At(2026, 2, 1) },
            new CoordinatorDesignationRecord { StakeholderId = "s-itu", DecisionReference = "UNSG decision 2026/03", DesignatedAt = At(2026, 2, 1) },
        },
        Modalities = new CoordinationModalities { Version = 2, Text = "Meets twice a year, online and in Geneva.", SetAt = At(2026, 6, 1) },
        Meetings = { new TeamMeeting { Id = "m-1", TeamId = "t-c1", Title = "C1 annual meeting", VenueOrLink = "Geneva", Agenda = "1. Modalities", StartsAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 5, 4, 8, 0, 0, TimeSpan.Zero)) } },
    };

    /// <summary>C2: coordinated by UNDP, which is not a member of the team (the case of a raw id on /teams).</summary>
    public static readonly Team TeamC2 = new()
    {
        Id = "t-c2", ActionLineCode = "C2", ActionLineTitle = "Information and communication infrastructure",
        CoordinatorStakeholderId = "s-undp", DesignationState = DesignationState.Designated,
        Members = { new TeamMember { StakeholderId = "s-2", StakeholderName = "UNESCO" } },
        Designations = { new CoordinatorDesignationRecord { StakeholderId = "s-undp", DecisionReference = "UNSG decision 2026/04", DesignatedAt = At(2026, 2, 2) } },
    };

    public static readonly CoordinatorsMeeting CoordinatorsMeeting = new()
    {
        Id = "cm-1", Venue = "Geneva, ITU headquarters", StartsAt = At(2026, 5, 10), ViceChairSeats = 2,
        Funding =
        {
            new FundingLine { Funder = Funder.Itu, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 12_000_000 } },
            new FundingLine { Funder = Funder.Unesco, Amount = new Money { CurrencyCode = "CHF", AmountMinor = 8_000_000 } },
        },
        Nominations =
        {
            new OfficerNomination { Office = Office.Chair, StakeholderId = "s-itu" },
            new OfficerNomination { Office = Office.ViceChair, StakeholderId = "s-2" },
            new OfficerNomination { Office = Office.ViceChair, StakeholderId = "s-undp" },
        },
        ElectionState = ElectionState.ElectionClosed,
        ChairStakeholderId = "s-itu",
        Results =
        {
            new OfficeResult { Office = Office.Chair, BallotsCast = 2, ElectedStakeholderIds = { "s-itu" }, Tallies = { new CandidateTally { StakeholderId = "s-itu", Votes = 2 } } },
            new OfficeResult
            {
                Office = Office.ViceChair, BallotsCast = 2, Tie = true, TiedStakeholderIds = { "s-2", "s-undp" },
                Tallies = { new CandidateTally { StakeholderId = "s-2", Votes = 1 }, new CandidateTally { StakeholderId = "s-undp", Votes = 1 } },
            },
        },
        ImplementationFramework = "Each team reports once a year against the Plan of Action.",
        StocktakingProcedures = { new StocktakingProcedures { Year = 2026, ContributionDeadline = At(2026, 9, 30), RequiredFields = { "url", "country_codes" } } },
    };

    /// <summary>A consultation whose results were examined and published.</summary>
    public static readonly Consultation ClosedConsultation = new()
    {
        Id = "c-closed",
        Title = "Cross-border data flows",
        IssueText = "What public policies for cross-border data flows?",
        State = ConsultationState.ResultsPublished,
        // Closed after the open one opened: the newer news of the two (the feed's first entry).
        OpenedAt = At(2026, 6, 1),
        ClosedAt = At(2026, 9, 5),
        PublishedResponseCount = 3,
        ResponsesDigest = new string('d', 64),
        ExaminedAtMeetingId = "gm-1",
        ResultsSummary = "The group noted broad support for interoperable frameworks.",
        FinalCheckpoint = new SignedCheckpoint
        {
            Text = "wsis-consultations/c-closed\n3\n" + Convert.ToBase64String(Convert.FromHexString(new string('d', 64))) + "\n2026-09-04T22:00:00.123Z\n",
            Signature = ByteString.CopyFrom(new byte[64]),
            KeyId = "0123456789abcdef",
            TreeSize = 3,
            RootHash = ByteString.CopyFrom(Convert.FromHexString(new string('d', 64))),
        },
        Deadline = new ResponseDeadline
        {
            Instant = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 9, 4, 22, 0, 0, TimeSpan.Zero)),
            GenevaTime = "2026-09-05T00:00:00+02:00",
            TimeZone = "Europe/Zurich",
        },
    };

    public static void Map(WebApplication app)
    {
        Unary(app, "consultations.v1.Consultations", "ListConsultations", ListConsultationsRequest.Parser,
            _ => new ListConsultationsResponse { Consultations = { Consultation, ClosedConsultation } });
        Unary(app, "consultations.v1.Consultations", "GetConsultation", GetConsultationRequest.Parser,
            r => r.Id == ConsultationId ? Consultation
                : r.Id == PagedConsultationId ? new Consultation(Consultation) { Id = PagedConsultationId, PublishedResponseCount = PagedCount }
                : r.Id == BrokenConsultationId ? new Consultation(Consultation) { Id = BrokenConsultationId, PublishedResponseCount = 4 }
                : r.Id == ClosedConsultation.Id ? ClosedConsultation
                : r.Id == GatedConsultationId ? new Consultation(Consultation) { Id = GatedConsultationId, PublishedResponseCount = 2 }
                : throw new Failure(5, $"consultation '{r.Id}' not found"));
        Unary(app, "consultations.v1.Consultations", "ListResponses", ListResponsesRequest.Parser,
            r =>
            {
                var list = new ListResponsesResponse();
                if (r.ConsultationId == ConsultationId)
                {
                    list.Responses.Add(Response);
                }
                else if (r.ConsultationId == PagedConsultationId)
                {
                    var offset = r.PageToken.Length == 0 ? 0 : int.Parse(r.PageToken, System.Globalization.CultureInfo.InvariantCulture);
                    var size = Math.Min(2, r.PageSize);
                    for (var n = offset; n < Math.Min(PagedCount, offset + size); n++)
                    {
                        // Receipt order, or newest first (the feed): p-149 was received last, a second after p-148.
                        var i = r.NewestFirst ? PagedCount - 1 - n : n;
                        list.Responses.Add(new Wsis.Consultations.V1.Response
                        {
                            Id = $"p-{i}", ConsultationId = PagedConsultationId, TrackingNumber = $"CWG-2027-{i + 1:D4}", Channel = Channel.Web,
                            Text = $"Paged response {i}.", Published = true, Sha256 = new string('c', 64),
                            ReceivedAt = r.NewestFirst ? Timestamp.FromDateTimeOffset(Response.ReceivedAt.ToDateTimeOffset().AddSeconds(i)) : Response.ReceivedAt,
                            Respondent = new Respondent { Name = $"Respondent {i}", Category = RespondentCategory.Individual },
                        });
                    }
                    list.NextPageToken = offset + size < PagedCount ? (offset + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
                }
                else if (r.ConsultationId == ClosedConsultation.Id)
                {
                }
                else if (r.ConsultationId == BrokenConsultationId)
                {
                    if (r.PageToken.Length > 0)
                    {
                        throw new Failure(14, "the database went away");
                    }
                    list.Responses.Add(new Wsis.Consultations.V1.Response(Response) { Id = "b-1", ConsultationId = BrokenConsultationId, Attachments = { } });
                    list.Responses[0].Attachments.Clear();
                    list.NextPageToken = "2";
                }
                else if (r.ConsultationId == GatedConsultationId)
                {
                    if (r.PageToken.Length > 0 && !SecondPageGate.Task.Wait(TimeSpan.FromSeconds(30)))
                    {
                        throw new Failure(4, "the test never opened the gate");
                    }
                    var i = r.PageToken.Length == 0 ? 1 : 2;
                    list.Responses.Add(new Wsis.Consultations.V1.Response(Response) { Id = $"g-{i}", TrackingNumber = $"CWG-2027-G{i}", ConsultationId = GatedConsultationId });
                    list.Responses[0].Attachments.Clear();
                    list.NextPageToken = i == 1 ? "2" : "";
                }
                else
                {
                    throw new Failure(5, $"no consultation {r.ConsultationId}");
                }
                return list;
            });
        Unary(app, "consultations.v1.Consultations", "GetResponse", GetResponseRequest.Parser,
            r => r.Id == ResponseId ? Response
                : EmailResponses.TryGetValue(r.Id, out var email) ? email
                : throw new Failure(5, $"response '{r.Id}' not found"));
        Unary(app, "consultations.v1.Consultations", "GetAttachment", GetAttachmentRequest.Parser,
            _ => new Attachment { Info = Response.Attachments[0], Content = ByteString.CopyFrom(AttachmentBytes) });
        Unary(app, "teams.v1.Teams", "ListTeams", ListTeamsRequest.Parser, r =>
        {
            // Two teams, one per page when asked for one.
            var all = new[] { TeamC1, TeamC2 };
            var offset = r.PageToken.Length == 0 ? 0 : int.Parse(r.PageToken, System.Globalization.CultureInfo.InvariantCulture);
            var size = r.PageSize is > 0 and < 2 ? r.PageSize : 2;
            var page = new ListTeamsResponse { NextPageToken = offset + size < all.Length ? (offset + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : "" };
            page.Teams.AddRange(all.Skip(offset).Take(size));
            return page;
        });
        // GetTeam: GrpcTestBackend's own route serves TeamC1 and TeamC2.
        Unary(app, "teams.v1.Teams", "ListTeamMeetings", ListTeamMeetingsRequest.Parser, _ => new ListTeamMeetingsResponse { Meetings = { TeamC1.Meetings } });
        Unary(app, "teams.v1.Teams", "ListActionLines", ListActionLinesRequest.Parser, _ =>
        {
            var lines = new ListActionLinesResponse();
            for (var i = 1; i <= 11; i++)
            {
                lines.ActionLines.Add(new ActionLine { Code = $"C{i}", Title = i == 1 ? TeamC1.ActionLineTitle : i == 2 ? TeamC2.ActionLineTitle : $"Action line {i}" });
            }
            foreach (var sub in new[] { "E-GOVERNMENT", "E-BUSINESS", "E-LEARNING", "E-HEALTH", "E-EMPLOYMENT", "E-ENVIRONMENT", "E-AGRICULTURE", "E-SCIENCE" })
            {
                lines.ActionLines.Add(new ActionLine { Code = "C7." + sub, Title = sub.ToLowerInvariant(), ParentCode = "C7" });
            }
            return lines;
        });
        Unary(app, "teams.v1.Teams", "ListCoordinationModalities", ListCoordinationModalitiesRequest.Parser, r => new ListCoordinationModalitiesResponse
        {
            Versions =
            {
                new CoordinationModalities { Version = 1, Text = "Meets once a year.", SetAt = At(2026, 2, 1) },
                new CoordinationModalities { Version = 2, Text = "Meets twice a year, online and in Geneva.", SetAt = At(2026, 6, 1) },
            },
        });
        Unary(app, "teams.v1.Stakeholders", "GetStakeholder", GetStakeholderRequest.Parser, r => Stakeholders.TryGetValue(r.Id, out var s)
            ? s : throw new Failure(5, $"stakeholder '{r.Id}' not found"));
        Unary(app, "teams.v1.CoordinatorsMeetings", "ListCoordinatorsMeetings", ListCoordinatorsMeetingsRequest.Parser,
            _ => new ListCoordinatorsMeetingsResponse { Meetings = { CoordinatorsMeeting } });
        Unary(app, "teams.v1.CoordinatorsMeetings", "GetCoordinatorsMeeting", GetCoordinatorsMeetingRequest.Parser,
            r => r.Id == CoordinatorsMeeting.Id ? CoordinatorsMeeting : throw new Failure(5, $"coordinators' meeting '{r.Id}' not found"));
        Unary(app, "consultations.v1.Consultations", "GetConsultationResults", GetConsultationResultsRequest.Parser, r =>
        {
            if (r.ConsultationId != ClosedConsultation.Id)
            {
                throw new Failure(5, $"consultation '{r.ConsultationId}' not found");
            }
            var results = new ConsultationResults
            {
                Consultation = ClosedConsultation,
                Total = 3,
                LateCount = 1,
                ByCategory = { new CountBy { Key = "CIVIL_SOCIETY", Count = 2 }, new CountBy { Key = "GOVERNMENT", Count = 1 } },
                ByCountry = { new CountBy { Key = "KE", Count = 2 }, new CountBy { Key = "FR", Count = 1 } },
                ByChannel = { new CountBy { Key = "WEB", Count = 2 }, new CountBy { Key = "MAILING_LIST", Count = 1 } },
            };
            if (r.PageToken.Length == 0)
            {
                results.SimilarityGroups.Add(new SimilarityGroup { Id = "g-1", Size = 2, Identical = true, ResponseIds = { "x-1", "x-2" } });
                results.Responses.Add(new Wsis.Consultations.V1.Response { Id = "x-1", TrackingNumber = "CWG-2026-0001", Channel = Channel.Web, Respondent = new Respondent { Name = "Amina", Category = RespondentCategory.CivilSociety, CountryCode = "KE" }, Published = true });
                results.NextPageToken = "1";
            }
            else
            {
                results.Responses.Add(new Wsis.Consultations.V1.Response { Id = "x-3", TrackingNumber = "CWG-2026-0003", Channel = Channel.MailingList, Respondent = new Respondent { Name = "Ministry", Category = RespondentCategory.Government, CountryCode = "FR" }, Published = true });
            }
            return results;
        });
        Unary(app, "consultations.v1.Consultations", "SearchResponses", SearchResponsesRequest.Parser, r =>
        {
            if (r.Query.Trim('!', '?', ' ').Length == 0)
            {
                throw new Failure(3, "query: give at least one word (letters or digits) to search for");
            }
            // The service's own search is tested in Consultations.Tests; here it answers by the request's fields.
            var found = new ListResponsesResponse();
            if (r.Query == "connected" && (r.ConsultationId is "" or ConsultationId) && r.Category is RespondentCategory.Unspecified or RespondentCategory.CivilSociety)
            {
                found.Responses.Add(new Wsis.Consultations.V1.Response(Response) { Text = $"Found for '{r.Query}' in '{r.ConsultationId}', {r.Category}, '{r.CountryCode}', {r.Channel}." });
                found.NextPageToken = r.PageToken.Length == 0 ? "p2" : "";
            }
            return found;
        });
        Unary(app, "consultations.v1.Consultations", "ListGroupMeetings", ListGroupMeetingsRequest.Parser,
            _ => new ListGroupMeetingsResponse { Meetings = { new GroupMeeting { Id = "gm-1", StartsOn = "2026-10-05", Venue = "Geneva" } } });
        Unary(app, "reporting.v1.Stocktaking", "ListNationalReports", ListNationalReportsRequest.Parser, r => new ListNationalReportsResponse
        {
            Reports =
            {
                new NationalReport
                {
                    Id = "n-1", CountryCode = "KE", Year = 2026, Text = "Kenya connected 1,200 schools.", SubmittedAt = At(2026, 4, 1),
                    Activities = { new Activity { Title = "Schools online", Description = "Fibre and solar power", ActionLineCodes = { "C2", "C4" } } },
                },
            },
        });
        Unary(app, "reporting.v1.Stocktaking", "ListContributions", ListContributionsRequest.Parser, r => new ListContributionsResponse
        {
            Contributions = { new Contribution { Id = "k-1", TeamId = TeamC1.Id, ActionLineCode = "C1", Year = 2026, SubmittedAt = At(2026, 3, 1), Entries = { InventoryEntries[2] } } },
        });
        Unary(app, "reporting.v1.Stocktaking", "GetInventoryEntry", GetInventoryEntryRequest.Parser, r =>
            InventoryEntries.FirstOrDefault(e => e.Id == r.Id) ?? throw new Failure(5, $"inventory entry {r.Id} does not exist"));
        Unary(app, "reporting.v1.Stocktaking", "ListInventory", ListInventoryRequest.Parser, r =>
        {
            var entries = InventoryEntries.Take(2);
            var hits = entries.Where(e => r.Text.Length == 0 || e.Title.Contains(r.Text, StringComparison.OrdinalIgnoreCase)).ToList();
            var found = new ListInventoryResponse { TotalCount = hits.Count };
            found.Entries.AddRange(hits);
            return found;
        });
        Unary(app, "reporting.v1.Reports", "ListReports", ListReportsRequest.Parser, _ => new ListReportsResponse
        {
            Reports =
            {
                // Compiled later, submitted earlier: the feed orders by submission (or transmission), newest first.
                new Report { Id = "rep-0", Title = "WSIS implementation 2025", PeriodStart = "2025-01-01", PeriodEnd = "2025-12-31", State = ReportState.Submitted, SubmittedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 20, 0, 0, 0, TimeSpan.Zero)) },
                new Report { Id = "rep-1", Title = "WSIS implementation 2026", PeriodStart = "2026-01-01", PeriodEnd = "2026-12-31", State = ReportState.Submitted, SubmittedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 1, 15, 0, 0, 0, TimeSpan.Zero)) },
                new Report { Id = "rep-draft", Title = "Draft not public", State = ReportState.Draft },
            },
        });
        Unary(app, "reporting.v1.Reports", "GetReport", GetReportRequest.Parser, r => new RenderedReport
        {
            Report = new Report { Id = r.Id, Title = "WSIS implementation 2026", PeriodStart = "2026-01-01", PeriodEnd = "2026-12-31", State = ReportState.Submitted, ContentSha256 = new string('c', 64) },
            Format = r.Format,
            MediaType = r.Format == ReportFormat.Markdown ? "text/markdown" : r.Format == ReportFormat.Json ? "application/json" : "text/html",
            Content = r.Format == ReportFormat.Markdown ? "# WSIS implementation 2026\n\n| line | entries |\n|---|---|\n| C1 | 3 |\n"
                : r.Format == ReportFormat.Json ? "{\"title\":\"WSIS implementation 2026\"}"
                : "<html><body><h1>WSIS implementation 2026</h1><svg width=\"200\" height=\"100\" role=\"img\" aria-label=\"chart\"><rect width=\"120\" height=\"40\" fill=\"#00457c\"/></svg></body></html>",
        });
    }

    private sealed class Failure(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }

    /// <summary>The inventory: two entries listed by ListInventory, and the contribution k-1's entry of team C1.</summary>
    public static readonly InventoryEntry[] InventoryEntries =
    [
        new() { Id = "e-1", Title = "Rural broadband", Description = "Fibre to villages", ActionLineCodes = { "C2" }, CountryCodes = { "KE" }, Year = 2026, Status = EntryStatus.Ongoing, Url = "https://example.org/rural", TeamId = TeamC2.Id, ContributionId = "k-2", StakeholderId = "s-undp" },
        new() { Id = "e-2", Title = "e-Health records", Description = "Clinics online", ActionLineCodes = { "C7" }, CountryCodes = { "FR" }, Year = 2026, Status = EntryStatus.Completed, Url = "javascript:alert(1)" },
        new() { Id = "e-9", Title = "Open data portal", Description = "Budgets and procurement in open formats", ActionLineCodes = { "C1", "C7.E-GOVERNMENT" }, CountryCodes = { "KE", "UG" }, Year = 2026, Status = EntryStatus.Completed, Url = "https://example.org/open-data", TeamId = TeamC1.Id, ContributionId = "k-1", StakeholderId = "s-itu" },
    ];

    private static void Unary<TRequest>(WebApplication app, string service, string method, MessageParser<TRequest> parser, Func<TRequest, IMessage> handler)
        where TRequest : IMessage<TRequest>
    {
        app.MapPost($"/{service}/{method}", async context =>
        {
            var bytes = await GrpcWire.ReadMessageAsync(context.Request.Body, 1 << 20, context.RequestAborted) ?? [];
            context.Response.ContentType = GrpcWire.ContentType;
            IMessage answer;
            try
            {
                answer = handler(parser.ParseFrom(bytes));
            }
            catch (Failure f)
            {
                context.Response.Headers[GrpcWire.StatusHeader] = f.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers[GrpcWire.MessageHeader] = GrpcWire.EncodeMessage(f.Message);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A mistake in the test data shows as INTERNAL with its message, not a bare HTTP 500.
                context.Response.Headers[GrpcWire.StatusHeader] = "13";
                context.Response.Headers[GrpcWire.MessageHeader] = GrpcWire.EncodeMessage($"{method}: {e.GetType().Name}: {e.Message}");
                return;
            }
            await context.Response.Body.WriteAsync(GrpcWire.Frame(answer.ToByteArray()));
            context.Response.AppendTrailer(GrpcWire.StatusHeader, "0");
        });
    }
}
