using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Wsis.Consultations.V1;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Pages.Consultations;

/// <summary>The web form of SubmitResponse: anyone may respond, no account needed (the gateway
/// rate-limits this path per client). The service checks limits and the deadline; its message is shown.</summary>
[RequestSizeLimit(32 * 1024 * 1024)]
[EnableRateLimiting(Edge.ClientLimits.SubmissionsPolicy)]
public sealed class RespondModel(Wsis.Consultations.V1.Consultations.ConsultationsClient consultations) : PageModel
{
    [FromRoute]
    public string Id { get; set; } = "";

    public string ConsultationTitle { get; private set; } = "";

    [BindProperty] public string Name { get; set; } = "";
    [BindProperty] public string? Organisation { get; set; }
    [BindProperty] public RespondentCategory Category { get; set; } = RespondentCategory.CivilSociety;
    [BindProperty] public string? CountryCode { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string Text { get; set; } = "";
    [BindProperty] public List<IFormFile> Attachments { get; set; } = [];

    public Receipt? Receipt { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task OnPostAsync()
    {
        await LoadAsync();
        var request = new SubmitResponseRequest
        {
            ConsultationId = Id,
            Respondent = new Respondent
            {
                Name = Name ?? "",
                Organisation = Organisation ?? "",
                Category = Category,
                CountryCode = (CountryCode ?? "").ToUpperInvariant(),
                Email = Email ?? "",
            },
            Text = Text ?? "",
            // One submission of this form, once: a double click or a resent POST returns the same receipt.
            RequestId = Request.Form["__RequestVerificationToken"].ToString() is { Length: > 0 } t
                ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(t + Id)))[..32]
                : "",
        };
        foreach (var file in Attachments)
        {
            using var content = new MemoryStream();
            await file.CopyToAsync(content, HttpContext.RequestAborted);
            request.Attachments.Add(new AttachmentUpload
            {
                FileName = Path.GetFileName(file.FileName),
                MediaType = file.ContentType,
                Content = ByteString.CopyFrom(content.ToArray()),
            });
        }
        try
        {
            Receipt = await consultations.SubmitResponseAsync(request, cancellationToken: HttpContext.RequestAborted);
        }
        catch (RpcException e) when (e.StatusCode is Grpc.Core.StatusCode.InvalidArgument or Grpc.Core.StatusCode.FailedPrecondition or Grpc.Core.StatusCode.ResourceExhausted)
        {
            Response.StatusCode = GatewayAnswers.HttpStatusFor(e.StatusCode);
            Error = e.Status.Detail;
        }
    }

    private async Task LoadAsync()
    {
        var consultation = await consultations.GetConsultationAsync(new GetConsultationRequest { Id = Id }, cancellationToken: HttpContext.RequestAborted);
        ConsultationTitle = consultation.Title;
    }
}
