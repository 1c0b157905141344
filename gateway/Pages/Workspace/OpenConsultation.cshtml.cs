using Microsoft.AspNetCore.Mvc;
using Wsis.Consultations.V1;
using Wsis.Gateway.Workspace;
using ConsultationsClient = Wsis.Consultations.V1.Consultations.ConsultationsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>OpenConsultation: a Member State (or the secretariat for the group) opens a consultation for a
/// meeting of CWG-Internet; the service computes the deadline.</summary>
public sealed class OpenConsultationModel(ConsultationsClient consultations) : WorkspacePage
{
    [BindProperty] public string MeetingId { get; set; } = "";
    [BindProperty] public string Title { get; set; } = "";
    [BindProperty] public string IssueText { get; set; } = "";
    [BindProperty] public string? Questions { get; set; }

    public IReadOnlyList<GroupMeeting> Meetings { get; private set; } = [];

    public bool MayOpen => Person.IsMemberState || Person.IsSecretariat;

    public async Task OnGetAsync(CancellationToken cancel) => await LoadAsync(cancel);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new OpenConsultationRequest { MeetingId = MeetingId ?? "", Title = Title ?? "", IssueText = IssueText ?? "", RequestId = RequestId };
        request.Questions.AddRange(Items(Questions));
        return await SubmitAsync(async c => await consultations.OpenConsultationAsync(request, cancellationToken: c),
            $"Consultation opened: {Title}",
            ("meeting_id", nameof(MeetingId)), ("title", nameof(Title)), ("issue_text", nameof(IssueText)), ("questions", nameof(Questions)));
    }

    private async Task LoadAsync(CancellationToken cancel) =>
        Meetings = (await consultations.ListGroupMeetingsAsync(new ListGroupMeetingsRequest { PageSize = 100 }, cancellationToken: cancel)).Meetings;
}
