using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Reporting.V1;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>SubmitNationalReport: a Member State files its national implementation report for a year.</summary>
public sealed class NationalReportModel(Stocktaking.StocktakingClient stocktaking) : WorkspacePage
{
    [BindProperty] public int Year { get; set; } = DateTime.UtcNow.Year;
    [BindProperty] public string Text { get; set; } = "";
    [BindProperty] public string? ActivityTitle { get; set; }
    [BindProperty] public string? ActivityDescription { get; set; }
    [BindProperty] public string? ActivityActionLineCodes { get; set; }

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostAsync()
    {
        var request = new SubmitNationalReportRequest { CountryCode = Person.Country ?? "", Year = Year, Text = Text ?? "", RequestId = RequestId };
        if (!string.IsNullOrWhiteSpace(ActivityTitle))
        {
            var activity = new Activity { Title = ActivityTitle, Description = ActivityDescription ?? "" };
            activity.ActionLineCodes.AddRange(Items(ActivityActionLineCodes, ',', ' ').Select(c => c.ToUpperInvariant()));
            request.Activities.Add(activity);
        }

        return SubmitAsync(async c => await stocktaking.SubmitNationalReportAsync(request, cancellationToken: c),
            $"National report for {Year} submitted ({Person.Country})",
            ("year", nameof(Year)), ("text", nameof(Text)), ("activities[0].title", nameof(ActivityTitle)),
            ("activities[0].description", nameof(ActivityDescription)), ("activities[0].action_line_codes", nameof(ActivityActionLineCodes)),
            ("country_code", ""));
    }
}
