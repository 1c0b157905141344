namespace Wsis.Reporting.Model;

/// <summary>Everything a report draws on, as Reporting holds it.</summary>
public sealed record ReportSources(
    IReadOnlyCollection<Contribution> Contributions,
    IReadOnlyCollection<NationalReport> NationalReports,
    CoordinationRegister Coordination,
    StakeholderDirectory Stakeholders,
    ConsultationRegister Consultations);

/// <summary>Assembles the periodic report to the UN Secretary-General from the stocktaking and the read models.</summary>
public static class ReportCompiler
{
    public static ReportDocument Compile(ReportSources sources, ReportPeriod period, Instant compiledAt) =>
        Compile(sources, period.Start, period.End, compiledAt);

    public static ReportDocument Compile(ReportSources sources, Instant periodStart, Instant periodEnd, Instant compiledAt)
    {
        if (periodEnd <= periodStart) throw new ArgumentException("The period must end after it starts.", nameof(periodEnd));
        var years = ReportPeriod.YearsOf(periodStart, periodEnd);
        var yearSet = years.ToHashSet();

        var contributions = sources.Contributions.Where(c => yearSet.Contains(c.Year))
            .OrderBy(c => c.Year).ThenBy(c => c.SubmittedAt).ThenBy(c => c.ContributionId).ToList();
        var entries = contributions.SelectMany(c => c.Entries.OrderBy(e => e.Position)).ToList();
        var lineOfContribution = contributions.ToDictionary(c => c.ContributionId, c => c.ActionLineCode);
        string ContributionLine(InventoryEntry e) => lineOfContribution.GetValueOrDefault(e.ContributionId, "");

        var sections = ActionLines.TopLevel.Select(line =>
        {
            var team = sources.Coordination.ForActionLine(line.Code);
            var coordinator = team?.CoordinatorId is { } id ? sources.Stakeholders.Find(id)?.Name : null;
            return new ActionLineSection(
                line.Code,
                line.Title,
                team?.TeamId,
                coordinator,
                contributions.Where(c => ActionLines.IsWithin(c.ActionLineCode, line.Code))
                    .Select(c => new ContributionSummary(c.ContributionId, c.ActionLineCode, c.Year, c.SubmittedAt, c.Entries.Count))
                    .ToList(),
                // The team's own entries, and every entry another team filed under this line.
                entries.Where(e => ActionLines.IsWithin(ContributionLine(e), line.Code) ||
                                   e.ActionLineCodes.Any(code => ActionLines.IsWithin(code, line.Code)))
                    .Select(e => Summarize(e, sources.Stakeholders)).ToList());
        }).ToList();

        var national = sources.NationalReports.Where(r => yearSet.Contains(r.Year))
            .OrderBy(r => r.Year).ThenBy(r => r.CountryCode, StringComparer.Ordinal)
            .Select(r => new NationalReportSummary(r.CountryCode, r.Year, r.SubmittedAt, r.Text,
                r.Activities.Select(a => new ActivitySummary(a.Title, a.Description, a.ActionLineCodes)).ToList()))
            .ToList();

        var held = sources.Consultations.HeldBetween(periodStart, periodEnd);
        var consultations = held.Select(p => new ConsultationSummary(
            p.Consultation.ConsultationId,
            p.Consultation.Title ?? "",
            p.Consultation.OpenedAt!.Value,
            p.Consultation.ResponseDeadline,
            p.Consultation.ClosedAt,
            p.ResponseCount,
            p.ByCategory,
            p.ByCountry,
            p.ByChannel,
            p.Consultation.ResultsSummary)).ToList();

        var figures = new List<Figure>
        {
            new("entries-by-action-line", "Inventory entries by action line",
                $"Number of stocktaking inventory entries per WSIS action line, {YearsText(years)}. An entry under several action lines counts under each.",
                "Action line", "Entries",
                ActionLines.TopLevel.Select(l => new CountBy(l.Code,
                    entries.Count(e => e.ActionLineCodes.Any(c => ActionLines.IsWithin(c, l.Code))))).ToList()),
            new("entries-by-stakeholder-category", "Inventory entries by stakeholder category",
                $"Number of stocktaking inventory entries by the category of the stakeholder carrying out the activity, {YearsText(years)}.",
                "Stakeholder category", "Entries",
                ByCategory(entries.Select(e => CategoryOf(e.StakeholderId, sources.Stakeholders)))),
            new("entries-by-country", "Inventory entries by country",
                $"Number of stocktaking inventory entries per country concerned, {YearsText(years)}. An entry concerning several countries counts under each.",
                "Country", "Entries",
                Counting.By(entries.SelectMany(e => e.CountryCodes), c => c)),
            new("entries-year-over-year", "Inventory entries year over year",
                $"Number of stocktaking inventory entries per year, from the first year with entries to {years[^1]}.",
                "Year", "Entries",
                YearOverYear(sources.Contributions, years[^1])),
            new("consultation-responses-by-category", "Consultation responses by stakeholder category",
                "Responses published in the open consultations held in the period, by the respondent's stakeholder category.",
                "Stakeholder category", "Responses",
                ByCategory(held.SelectMany(p => p.ByCategory.SelectMany(c => Enumerable.Repeat(c.Key, c.Count))))),
        };

        return new ReportDocument(
            $"Report on the implementation of the WSIS outcomes, {ReportPeriod.FirstDayOf(periodStart)} to {ReportPeriod.LastDayOf(periodEnd)}",
            periodStart, periodEnd, compiledAt, years, sections, national, consultations, figures);
    }

    private static EntrySummary Summarize(InventoryEntry e, StakeholderDirectory stakeholders)
    {
        var s = e.StakeholderId is { } id ? stakeholders.Find(id) : null;
        return new EntrySummary(e.EntryId, e.Year, e.Title, e.Description,
            e.ActionLineCodes.OrderBy(ActionLines.OrderOf).ToList(), e.CountryCodes.Order(StringComparer.Ordinal).ToList(),
            s?.Name, DomainNames.Of(s?.Category ?? StakeholderCategory.Unspecified), e.Url, DomainNames.Of(e.Status));
    }

    private static string CategoryOf(string? stakeholderId, StakeholderDirectory stakeholders) =>
        DomainNames.Of(stakeholderId is { } id ? stakeholders.Find(id)?.Category ?? StakeholderCategory.Unspecified : StakeholderCategory.Unspecified);

    /// <summary>Every stakeholder category in a fixed order (zeros included, so charts of different reports compare); "Individual" and "Unspecified" only when present.</summary>
    private static IReadOnlyList<CountBy> ByCategory(IEnumerable<string> categoryNames)
    {
        var counts = categoryNames.GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        var bars = Enum.GetValues<StakeholderCategory>()
            .Where(c => c is not (StakeholderCategory.Unspecified or StakeholderCategory.Individual))
            .Select(c => new CountBy(DomainNames.Of(c), counts.GetValueOrDefault(DomainNames.Of(c))))
            .ToList();
        foreach (var occasional in new[] { StakeholderCategory.Individual, StakeholderCategory.Unspecified })
            if (counts.GetValueOrDefault(DomainNames.Of(occasional)) is var n and > 0) bars.Add(new CountBy(DomainNames.Of(occasional), n));
        return bars;
    }

    private static IReadOnlyList<CountBy> YearOverYear(IEnumerable<Contribution> all, int lastYear)
    {
        var perYear = all.Where(c => c.Year <= lastYear).GroupBy(c => c.Year).ToDictionary(g => g.Key, g => g.Sum(c => c.Entries.Count));
        if (perYear.Count == 0) return [new CountBy(lastYear.ToString(System.Globalization.CultureInfo.InvariantCulture), 0)];
        var first = perYear.Keys.Min();
        return Enumerable.Range(first, lastYear - first + 1)
            .Select(y => new CountBy(y.ToString(System.Globalization.CultureInfo.InvariantCulture), perYear.GetValueOrDefault(y)))
            .ToList();
    }

    private static string YearsText(IReadOnlyList<int> years) =>
        years.Count == 1 ? years[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{years[0]}–{years[^1]}";
}
