using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Platform.Security;
using Wsis.Gateway.SignIn;

namespace Wsis.Gateway.Workspace;

/// <summary>
/// What every workspace page shares: the signed-in person (<see cref="Person"/>, from the session), a
/// <see cref="RequestId"/> generated when a form is rendered and sent with its call (a double click or a
/// resent POST returns the first result instead of creating twice), a form found again after the
/// session ended (<see cref="UnsentForms"/>), and a service's refusal shown beside the field it names.
/// </summary>
public abstract class WorkspacePage : PageModel
{
    /// <summary>The idempotency key of one rendering of the form; kept when the form is shown again after an error.</summary>
    [BindProperty]
    public string RequestId { get; set; } = "";

    /// <summary>The form was filled in again from what was posted when the session had ended.</summary>
    public bool Restored { get; private set; }

    public Caller Person => Caller.From(User);

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (HttpMethods.IsGet(Request.Method))
        {
            RequestId = NewRequestId();
            if (Request.Query[UnsentForms.QueryKey].ToString() is { Length: > 0 } key)
            {
                Restored = await HttpContext.RequestServices.GetRequiredService<UnsentForms>()
                    .RestoreAsync(key, Request.Path, ModelState, HttpContext.RequestAborted);
            }
        }
        else if (string.IsNullOrWhiteSpace(RequestId))
        {
            RequestId = NewRequestId();
        }

        await next();
    }

    public static string NewRequestId() => Guid.NewGuid().ToString("N");

    /// <summary>The service's message about <paramref name="property"/>, to show inside the field's label
    /// (so it is read with the field), or nothing.</summary>
    public Microsoft.AspNetCore.Html.IHtmlContent FieldError(string property) =>
        ModelState.TryGetValue(property, out var entry) && entry.Errors.FirstOrDefault() is { } error
            ? new Microsoft.AspNetCore.Html.HtmlContentBuilder()
                .AppendHtml("<span class=\"field-error\" data-testid=\"error-").Append(property).AppendHtml("\">")
                .Append(error.ErrorMessage).AppendHtml("</span>")
            : Microsoft.AspNetCore.Html.HtmlString.Empty;

    /// <summary>Splits a text area or a comma-separated field into its non-empty trimmed lines or items.</summary>
    public static IEnumerable<string> Items(string? text, params char[] separators) =>
        (text ?? "").Split(separators.Length == 0 ? ['\n'] : separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Makes a service call for the form: done → back to the workspace with <paramref name="done"/>; a
    /// refusal (INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED…) → the form again with the
    /// service's message beside the field it names (<paramref name="fields"/>: proto field name → form
    /// property), or above the form; UNAUTHENTICATED (the session's token expired or was refused) → the
    /// form is kept and the person signs in again, then finds it filled in.
    /// </summary>
    protected Task<IActionResult> SubmitAsync(Func<CancellationToken, Task> call, string done, params (string Field, string Property)[] fields) =>
        SubmitAsync(async cancel =>
        {
            await call(cancel);
            TempData[WorkspaceMessages.Done] = done;
            return RedirectToPage("/Workspace/Index");
        }, fields);

    /// <summary>As <see cref="SubmitAsync(Func{CancellationToken, Task}, string, ValueTuple{string, string}[])"/>, where the call says where to go next.</summary>
    protected async Task<IActionResult> SubmitAsync(Func<CancellationToken, Task<IActionResult>> call, params (string Field, string Property)[] fields)
    {
        // The service is the one that validates: MVC's own checks (a non-nullable property not posted is
        // "required" to it) would stand in front of the service's reasons, so only the posted values stay.
        foreach (var entry in ModelState.Values)
        {
            entry.Errors.Clear();
            entry.ValidationState = Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Valid;
        }

        try
        {
            return await call(HttpContext.RequestAborted);
        }
        catch (RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unauthenticated)
        {
            var key = await HttpContext.RequestServices.GetRequiredService<UnsentForms>()
                .KeepAsync(Request.Path, await Request.ReadFormAsync(HttpContext.RequestAborted), HttpContext.RequestAborted);
            await HttpContext.SignOutAsync(SignInModule.SessionScheme);
            return Challenge(new AuthenticationProperties { RedirectUri = UnsentForms.ResumeUrl(Request.PathBase + Request.Path + Request.QueryString, key) },
                SignInModule.SessionScheme);
        }
        catch (RpcException e) when (e.StatusCode is Grpc.Core.StatusCode.InvalidArgument or Grpc.Core.StatusCode.FailedPrecondition or Grpc.Core.StatusCode.PermissionDenied
                                         or Grpc.Core.StatusCode.AlreadyExists or Grpc.Core.StatusCode.NotFound or Grpc.Core.StatusCode.OutOfRange or Grpc.Core.StatusCode.ResourceExhausted)
        {
            ShowRefusal(e.Status.Detail, fields);
            Response.StatusCode = Proxy.GatewayAnswers.HttpStatusFor(e.StatusCode);
            return Page();
        }
        catch (RpcException e) when (e.StatusCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded)
        {
            // A service busy, restarting or waiting for something (an election's result): the form stays
            // as filled in, to be sent again (its request_id makes a second send act once). Not the
            // detail: a call that never reached the service describes the connection, not the form.
            var t = HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<SharedResource>>();
            ModelState.AddModelError("", t["The service could not act on this just now. Your form is kept as you filled it in: send it again in a moment."]);
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "5";
            return Page();
        }
    }

    /// <summary>The message beside the first field it starts with (services say "title is required",
    /// "questions: at most 20"), otherwise above the form.</summary>
    protected void ShowRefusal(string message, IEnumerable<(string Field, string Property)> fields)
    {
        var field = fields.FirstOrDefault(f => Names(message, f.Field));
        ModelState.AddModelError(field.Property ?? "", message);
    }

    private static bool Names(string message, string field) =>
        message.StartsWith(field, StringComparison.Ordinal)
        && (message.Length == field.Length || message[field.Length] is ' ' or ':' or '[' or '.' or '\'');
}

public static class WorkspaceMessages
{
    public const string Done = "workspace-done";
}
