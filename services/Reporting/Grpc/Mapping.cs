using Google.Protobuf.WellKnownTypes;
using Platform.Security;
using Wsis.Reporting.Model;
using V1 = Wsis.Reporting.V1;

namespace Wsis.Reporting.Grpc;

/// <summary>reporting.v1 messages to and from the model, and who calls as the model's actor.</summary>
internal static class Mapping
{
    /// <summary>The token's caller as the model's actor; anonymous when there is no (valid) token.</summary>
    public static Actor ActorOf(Caller caller) =>
        caller.IsAuthenticated ? Actor.Create(caller.Subject!, caller.Roles, caller.Org, caller.Country, caller.Name) : Actor.Anonymous;

    public static V1.ListHistoryResponse ToMessage(IReadOnlyList<HistoryEntry> entries, string nextPageToken)
    {
        var response = new V1.ListHistoryResponse { NextPageToken = nextPageToken };
        response.Entries.AddRange(entries.Select(e => new V1.HistoryEntry
        {
            Action = e.Action,
            Detail = e.Detail,
            ActorSubject = e.ActorSubject,
            ActorName = e.ActorName,
            At = Timestamp.FromDateTimeOffset(e.At),
        }));
        return response;
    }

    public static Instant Now(TimeProvider time) => Instant.FromDateTimeOffset(time.GetUtcNow());

    public static ContributionDraft ToDraft(V1.SubmitContributionRequest r) =>
        new(r.TeamId.Trim(), r.Year, r.Entries.Select(ToDraft).ToList());

    public static NationalReportDraft ToDraft(V1.SubmitNationalReportRequest r) =>
        new(r.CountryCode, r.Year, r.Text, r.Activities.Select(a => new NationalActivityDraft(a.Title, a.Description, a.ActionLineCodes)).ToList());

    public static InventoryQuery ToQuery(V1.ListInventoryRequest r) =>
        new(r.Year == 0 ? null : r.Year, NullIfBlank(r.ActionLineCode), NullIfBlank(r.CountryCode), NullIfBlank(r.Text));

    // Same numbers as the proto enum; an undefined number reaches the model, which names it.
    private static EntryDraft ToDraft(V1.EntryInput e) => new(
        e.Title, e.Description, e.ActionLineCodes, e.CountryCodes,
        NullIfBlank(e.StakeholderId), NullIfBlank(e.Url), (Model.EntryStatus)(int)e.Status);

    public static V1.InventoryEntry ToMessage(InventoryEntry e) => new()
    {
        Id = e.EntryId.ToString(),
        Title = e.Title,
        Description = e.Description,
        ActionLineCodes = { e.ActionLineCodes },
        CountryCodes = { e.CountryCodes },
        StakeholderId = e.StakeholderId ?? "",
        Url = e.Url ?? "",
        Status = (V1.EntryStatus)(int)e.Status,
        Year = e.Year,
        TeamId = e.TeamId,
        ContributionId = e.ContributionId.ToString(),
    };

    public static V1.Contribution ToMessage(Contribution c) => new()
    {
        Id = c.ContributionId.ToString(),
        TeamId = c.TeamId,
        ActionLineCode = c.ActionLineCode,
        Year = c.Year,
        Entries = { c.Entries.OrderBy(e => e.Position).Select(ToMessage) },
        SubmittedAt = Stamp(c.SubmittedAt),
        SubmittedBy = c.CoordinatorId,
    };

    public static V1.NationalReport ToMessage(NationalReport r) => new()
    {
        Id = r.NationalReportId.ToString(),
        CountryCode = r.CountryCode,
        Year = r.Year,
        Text = r.Text,
        Activities = { r.Activities.Select(a => new V1.Activity { Title = a.Title, Description = a.Description, ActionLineCodes = { a.ActionLineCodes } }) },
        SubmittedAt = Stamp(r.SubmittedAt),
    };

    public static V1.Report ToMessage(Report r) => new()
    {
        Id = r.ReportId.ToString(),
        PeriodStart = r.Period.FirstDay,
        PeriodEnd = r.Period.LastDay,
        State = ToMessage(r.State),
        CompiledAt = Stamp(r.CompiledAt),
        CompiledBy = r.CompiledBy,
        SubmittedAt = Stamp(r.SubmittedAt),
        ContentSha256 = r.ContentHash ?? "",
        GeneralAssemblyReference = r.TransmissionReference ?? "",
        TransmittedAt = Stamp(r.TransmittedAt),
        Title = r.Title,
    };

    public static V1.ReportState ToMessage(ReportState s) => s switch
    {
        ReportState.Draft => V1.ReportState.Draft,
        ReportState.Submitted => V1.ReportState.Submitted,
        ReportState.TransmittedToGeneralAssembly => V1.ReportState.Transmitted,
        _ => V1.ReportState.Unspecified,
    };

    public static ReportFormat ToModel(V1.ReportFormat f) => f switch
    {
        V1.ReportFormat.Markdown => ReportFormat.Markdown,
        V1.ReportFormat.Json => ReportFormat.Json,
        _ => ReportFormat.Html, // unspecified: the form people read
    };

    public static V1.ReportFormat ToMessage(ReportFormat f) => f switch
    {
        ReportFormat.Markdown => V1.ReportFormat.Markdown,
        ReportFormat.Json => V1.ReportFormat.Json,
        _ => V1.ReportFormat.Html,
    };

    public static Timestamp? Stamp(Instant? t) => t is { } v ? Timestamp.FromDateTimeOffset(v.ToDateTimeOffset()) : null;

    private static string? NullIfBlank(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
