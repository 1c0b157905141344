using Google.Protobuf.WellKnownTypes;
using Wsis.Reporting.Model;
using V1 = Wsis.Reporting.V1;

namespace Wsis.Reporting.Grpc;

internal static class ProtoMapping
{
    public static Timestamp? Stamp(DateTimeOffset? t) => t is { } v ? Timestamp.FromDateTimeOffset(v) : null;

    public static V1.InventoryEntry ToProto(this InventoryEntry e) => new()
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

    public static V1.Contribution ToProto(this Contribution c) => new()
    {
        Id = c.ContributionId.ToString(),
        TeamId = c.TeamId,
        ActionLineCode = c.ActionLineCode,
        Year = c.Year,
        Entries = { c.Entries.OrderBy(e => e.Position).Select(ToProto) },
        SubmittedAt = Stamp(c.SubmittedAt),
        SubmittedBy = c.CoordinatorId,
    };

    public static EntryDraft ToDraft(this V1.EntryInput e) => new(
        e.Title, e.Description, e.ActionLineCodes, e.CountryCodes,
        string.IsNullOrWhiteSpace(e.StakeholderId) ? null : e.StakeholderId, string.IsNullOrWhiteSpace(e.Url) ? null : e.Url.Trim(),
        (Model.EntryStatus)(int)e.Status);

    public static V1.NationalReport ToProto(this NationalReport r) => new()
    {
        Id = r.NationalReportId.ToString(),
        CountryCode = r.CountryCode,
        Year = r.Year,
        Text = r.Text,
        Activities = { r.Activities.Select(a => new V1.Activity { Title = a.Title, Description = a.Description, ActionLineCodes = { a.ActionLineCodes } }) },
        SubmittedAt = Stamp(r.SubmittedAt),
    };

    public static V1.Report ToProto(this Report r) => new()
    {
        Id = r.ReportId.ToString(),
        PeriodStart = ReportCompiler.FirstDay(r.PeriodStart),
        PeriodEnd = ReportCompiler.LastDay(r.PeriodEnd),
        State = r.State switch
        {
            ReportState.Draft => V1.ReportState.Draft,
            ReportState.Submitted => V1.ReportState.Submitted,
            ReportState.TransmittedToGeneralAssembly => V1.ReportState.Transmitted,
            _ => V1.ReportState.Unspecified,
        },
        CompiledAt = Stamp(r.CompiledAt),
        CompiledBy = r.CompiledBy,
        SubmittedAt = Stamp(r.SubmittedAt),
        ContentSha256 = r.ContentHash ?? "",
        GeneralAssemblyReference = r.TransmissionReference ?? "",
        TransmittedAt = Stamp(r.TransmittedAt),
        Title = r.Title,
    };

    public static ReportFormat ToModel(this V1.ReportFormat f) => f switch
    {
        V1.ReportFormat.Markdown => ReportFormat.Markdown,
        V1.ReportFormat.Json => ReportFormat.Json,
        _ => ReportFormat.Html, // unspecified: the form people read
    };

    public static V1.ReportFormat ToProto(this ReportFormat f) => f switch
    {
        ReportFormat.Markdown => V1.ReportFormat.Markdown,
        ReportFormat.Json => V1.ReportFormat.Json,
        _ => V1.ReportFormat.Html,
    };
}
