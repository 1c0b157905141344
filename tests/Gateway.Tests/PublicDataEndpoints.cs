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

    public static readonly Consultation Consultation = new()
    {
        Id = ConsultationId,
        Title = "Public policy on Internet connectivity",
        IssueText = "How should developing countries be connected?",
        Questions = { "What are the barriers?", "Which policies help?" },
        State = ConsultationState.Open,
        EmailAddress = "cwg-c1@example.org",
        PublishedResponseCount = 1,
        Deadline = new ResponseDeadline
        {
            Instant = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 2, 28, 22, 59, 59, TimeSpan.Zero)),
            GenevaTime = "2027-02-28T23:59:59+01:00",
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

    public static void Map(WebApplication app)
    {
        Unary(app, "consultations.v1.Consultations", "ListConsultations", ListConsultationsRequest.Parser,
            _ => new ListConsultationsResponse { Consultations = { Consultation } });
        Unary(app, "consultations.v1.Consultations", "GetConsultation", GetConsultationRequest.Parser,
            r => r.Id == ConsultationId ? Consultation
                : r.Id == PagedConsultationId ? new Consultation(Consultation) { Id = PagedConsultationId, PublishedResponseCount = PagedCount }
                : r.Id == BrokenConsultationId ? new Consultation(Consultation) { Id = BrokenConsultationId, PublishedResponseCount = 4 }
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
                    for (var i = offset; i < Math.Min(PagedCount, offset + size); i++)
                    {
                        list.Responses.Add(new Wsis.Consultations.V1.Response
                        {
                            Id = $"p-{i}", ConsultationId = PagedConsultationId, TrackingNumber = $"CWG-2027-{i + 1:D4}", Channel = Channel.Web,
                            Text = $"Paged response {i}.", Published = true, Sha256 = new string('c', 64),
                            ReceivedAt = Response.ReceivedAt, Respondent = new Respondent { Name = $"Respondent {i}", Category = RespondentCategory.Individual },
                        });
                    }
                    list.NextPageToken = offset + size < PagedCount ? (offset + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
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
            r => r.Id == ResponseId ? Response : throw new Failure(5, $"response '{r.Id}' not found"));
        Unary(app, "consultations.v1.Consultations", "GetAttachment", GetAttachmentRequest.Parser,
            _ => new Attachment { Info = Response.Attachments[0], Content = ByteString.CopyFrom(AttachmentBytes) });
        Unary(app, "teams.v1.Teams", "ListTeams", ListTeamsRequest.Parser, _ => new ListTeamsResponse
        {
            Teams =
            {
                new Team
                {
                    Id = "t-c1", ActionLineCode = "C1", ActionLineTitle = "The role of public governance authorities",
                    CoordinatorStakeholderId = "s-itu", DesignationState = DesignationState.Designated,
                    Members = { new TeamMember { StakeholderId = "s-itu", StakeholderName = "ITU" }, new TeamMember { StakeholderId = "s-2", StakeholderName = "UNESCO" } },
                },
            },
        });
        Unary(app, "teams.v1.Teams", "ListTeamMeetings", ListTeamMeetingsRequest.Parser, _ => new ListTeamMeetingsResponse
        {
            Meetings = { new TeamMeeting { Id = "m-1", TeamId = "t-c1", Title = "C1 annual meeting", VenueOrLink = "Geneva", StartsAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 5, 4, 8, 0, 0, TimeSpan.Zero)) } },
        });
        Unary(app, "reporting.v1.Stocktaking", "ListInventory", ListInventoryRequest.Parser, r =>
        {
            var entries = new[]
            {
                new InventoryEntry { Id = "e-1", Title = "Rural broadband", Description = "Fibre to villages", ActionLineCodes = { "C2" }, CountryCodes = { "KE" }, Year = 2026, Status = EntryStatus.Ongoing, Url = "https://example.org/rural" },
                new InventoryEntry { Id = "e-2", Title = "e-Health records", Description = "Clinics online", ActionLineCodes = { "C7" }, CountryCodes = { "FR" }, Year = 2026, Status = EntryStatus.Completed, Url = "javascript:alert(1)" },
            };
            var hits = entries.Where(e => r.Text.Length == 0 || e.Title.Contains(r.Text, StringComparison.OrdinalIgnoreCase)).ToList();
            var found = new ListInventoryResponse { TotalCount = hits.Count };
            found.Entries.AddRange(hits);
            return found;
        });
        Unary(app, "reporting.v1.Reports", "ListReports", ListReportsRequest.Parser, _ => new ListReportsResponse
        {
            Reports =
            {
                new Report { Id = "rep-1", Title = "WSIS implementation 2026", PeriodStart = "2026-01-01", PeriodEnd = "2026-12-31", State = ReportState.Submitted, SubmittedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2027, 1, 15, 0, 0, 0, TimeSpan.Zero)) },
                new Report { Id = "rep-draft", Title = "Draft not public", State = ReportState.Draft },
            },
        });
        Unary(app, "reporting.v1.Reports", "GetReport", GetReportRequest.Parser, r => new RenderedReport
        {
            Report = new Report { Id = r.Id, Title = "WSIS implementation 2026", PeriodStart = "2026-01-01", PeriodEnd = "2026-12-31", State = ReportState.Submitted, ContentSha256 = new string('c', 64) },
            Format = r.Format,
            MediaType = "text/html",
            Content = "<html><body><h1>WSIS implementation 2026</h1><svg width=\"200\" height=\"100\" role=\"img\" aria-label=\"chart\"><rect width=\"120\" height=\"40\" fill=\"#00457c\"/></svg></body></html>",
        });
    }

    private sealed class Failure(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }

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
            await context.Response.Body.WriteAsync(GrpcWire.Frame(answer.ToByteArray()));
            context.Response.AppendTrailer(GrpcWire.StatusHeader, "0");
        });
    }
}
