using System.Net;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;

namespace Wsis.Host.DevelopmentIdentity;

/// <summary>The development provider's login page: one button per person, no password.</summary>
public static class LoginPage
{
    public static async Task<IResult> Render(HttpContext context, IAntiforgery antiforgery, DevelopmentDirectory directory, string returnUrl)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in (development identity provider) — WSIS</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><main id="main">
            <h1>Sign in (development identity provider)</h1>
            <p>This provider exists only in the Development environment: pick the person to be. No password.</p>
            <ul class="people">
            """);
        foreach (var user in DevelopmentUsers.All)
        {
            string? org = null;
            var missing = false;
            if (user.OrganisationName is { } name)
            {
                org = await directory.OrganisationIdAsync(user, context.RequestAborted);
                missing = org is null;
            }

            html.Append("<li><form method=\"post\" action=\"").Append(DevelopmentIdentityProvider.LoginPath).Append("\">")
                .Append("<input type=\"hidden\" name=\"").Append(E(tokens.FormFieldName)).Append("\" value=\"").Append(E(tokens.RequestToken ?? "")).Append("\">")
                .Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(E(returnUrl)).Append("\">")
                .Append("<input type=\"hidden\" name=\"subject\" value=\"").Append(E(user.Subject)).Append("\">")
                .Append("<button type=\"submit\">Sign in as ").Append(E(user.Name)).Append("</button> ")
                .Append("<span class=\"hint\">").Append(E(user.Role))
                .Append(user.Country is { } c ? " · " + E(c) : "")
                .Append(user.OrganisationName is { } o ? " · " + E(o) : "")
                .Append(" — ").Append(E(user.Description))
                .Append(missing ? " (this organisation is not registered yet: start the host with its demonstration data)" : "")
                .Append("</span></form></li>");
        }

        html.Append("</ul></main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
