using Microsoft.AspNetCore.Mvc;
using Wsis.Consultations.V1;
using Wsis.Gateway.Workspace;
using ConsultationsClient = Wsis.Consultations.V1.Consultations.ConsultationsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>ScheduleGroupMeeting: the secretariat schedules a meeting of CWG-Internet, which consultations are opened for.</summary>
public sealed class ScheduleGroupMeetingModel(ConsultationsClient consultations) : WorkspacePage
{
    [BindProperty] public string StartsOn { get; set; } = DateOnly.FromDateTime(DateTime.UtcNow.AddMonths(3)).ToString("yyyy-MM-dd");
    [BindProperty] public string Venue { get; set; } = "";

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostAsync()
    {
        var request = new ScheduleGroupMeetingRequest { StartsOn = StartsOn ?? "", Venue = Venue ?? "", RequestId = RequestId };
        return SubmitAsync(async c => await consultations.ScheduleGroupMeetingAsync(request, cancellationToken: c),
            $"Meeting of the group scheduled: {StartsOn}, {Venue}", ("starts_on", nameof(StartsOn)), ("venue", nameof(Venue)));
    }
}
