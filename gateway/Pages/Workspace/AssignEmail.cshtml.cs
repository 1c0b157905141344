using Microsoft.AspNetCore.Mvc;
using Wsis.Consultations.V1;
using Wsis.Gateway.Workspace;
using ConsultationsClient = Wsis.Consultations.V1.Consultations.ConsultationsClient;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>AssignResponse: an e-mail that named no known consultation, shown to the secretariat as
/// received (sender, subject, size, problems found reading it), assigned to its consultation. The form's
/// request_id goes with the call: a second post of one rendering gets the first outcome from the service.</summary>
public sealed class AssignEmailModel(ConsultationsClient consultations) : WorkspacePage
{
    [FromRoute] public string ResponseId { get; set; } = "";
    [BindProperty] public string ConsultationId { get; set; } = "";

    /// <summary>The e-mail (the secretariat only may read an unassigned one).</summary>
    public Response? Email { get; private set; }
    public IReadOnlyList<Consultation> Consultations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancel) => await LoadAsync(cancel);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancel)
    {
        await LoadAsync(cancel);
        var request = new AssignResponseRequest { ResponseId = ResponseId, ConsultationId = ConsultationId ?? "", RequestId = RequestId };
        var title = Consultations.FirstOrDefault(c => c.Id == request.ConsultationId)?.Title ?? request.ConsultationId;
        return await SubmitAsync(async c => await consultations.AssignResponseAsync(request, cancellationToken: c),
            $"E-mail {Email?.TrackingNumber} assigned to {title}",
            ("consultation_id", nameof(ConsultationId)), ("response_id", nameof(ConsultationId)));
    }

    private async Task LoadAsync(CancellationToken cancel)
    {
        if (!Person.IsSecretariat)
        {
            return;
        }

        Email = await consultations.GetResponseAsync(new GetResponseRequest { Id = ResponseId }, cancellationToken: cancel);
        Consultations = (await consultations.ListConsultationsAsync(new ListConsultationsRequest { PageSize = 200 }, cancellationToken: cancel)).Consultations;
    }
}
