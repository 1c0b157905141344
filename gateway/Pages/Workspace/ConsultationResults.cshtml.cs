using Microsoft.AspNetCore.Mvc;
using Wsis.Consultations.V1;
using Wsis.Gateway.Workspace;
using ConsultationsClient = Wsis.Consultations.V1.Consultations.ConsultationsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>After the group's meeting the secretariat records the examination of a closed consultation,
/// then publishes its results. Neither call takes a request_id: a repeated click finds the step
/// already taken and says so as done, not as an error.</summary>
public sealed class ConsultationResultsModel(ConsultationsClient consultations) : WorkspacePage
{
    public enum Step { Examination, Results }

    [FromRoute] public string ConsultationId { get; set; } = "";
    [BindProperty] public Step Action { get; set; }
    [BindProperty] public string? MeetingId { get; set; }
    [BindProperty] public string? Summary { get; set; }

    public Consultation Consultation { get; private set; } = new();
    public ConsultationResults? Results { get; private set; }
    public IReadOnlyList<GroupMeeting> Meetings { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        Action = Consultation.State == ConsultationState.Examined ? Step.Results : Step.Examination;
        MeetingId = Consultation.MeetingId;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var already = Action == Step.Examination
            ? Consultation.State is ConsultationState.Examined or ConsultationState.ResultsPublished
            : Consultation.State == ConsultationState.ResultsPublished;
        var done = Action == Step.Examination ? $"Examination recorded: {Consultation.Title}" : $"Results published: {Consultation.Title}";
        if (already)
        {
            TempData[WorkspaceMessages.Done] = done;
            return RedirectToPage("/Workspace/Index");
        }

        string id = ConsultationId, meeting = MeetingId ?? "", summary = Summary ?? "";
        return await SubmitAsync(Action == Step.Examination
                ? async c => await consultations.RecordExaminationAsync(new RecordExaminationRequest { ConsultationId = id, MeetingId = meeting, RequestId = RequestId }, cancellationToken: c)
                : async c => await consultations.PublishResultsAsync(new PublishResultsRequest { ConsultationId = id, Summary = summary, RequestId = RequestId }, cancellationToken: c),
            done, ("meeting_id", nameof(MeetingId)), ("summary", nameof(Summary)));
    }

    private async Task LoadAsync(CancellationToken cancel)
    {
        Consultation = await consultations.GetConsultationAsync(new GetConsultationRequest { Id = ConsultationId }, cancellationToken: cancel);
        Meetings = (await consultations.ListGroupMeetingsAsync(new ListGroupMeetingsRequest { PageSize = 100 }, cancellationToken: cancel)).Meetings;
        if (Consultation.State != ConsultationState.Open)
        {
            Results = await consultations.GetConsultationResultsAsync(new GetConsultationResultsRequest { ConsultationId = ConsultationId }, cancellationToken: cancel);
        }
    }
}
