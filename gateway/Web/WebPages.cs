using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.FileProviders;

namespace Wsis.Gateway.Web;

/// <summary>The public web pages (Razor Pages), their languages and their security headers.</summary>
public static class WebPages
{
    /// <summary>English and French now; Arabic, Chinese, Russian and Spanish need only their .resx.</summary>
    public static readonly string[] Cultures = ["en", "fr"];

    public static IServiceCollection AddWebPages(this IServiceCollection services)
    {
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        // The gateway's assembly is named explicitly: the embedded host (and the tests) run it
        // from another entry assembly, where Razor Pages would find no pages by default.
        services.AddRazorPages().AddApplicationPart(typeof(WebPages).Assembly);
        services.AddSingleton<PublicServices>();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = Cultures.Select(c => new CultureInfo(c)).ToList();
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            // ?culture=fr, then the cookie the language links set, then Accept-Language.
            o.RequestCultureProviders = [new QueryStringRequestCultureProvider(), new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        return services;
    }

    public static WebApplication MapWebPages(this WebApplication app)
    {
        app.UseRequestLocalization();
        app.Use((context, next) =>
        {
            var path = context.Request.Path;
            if (!path.StartsWithSegments("/api"))
            {
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers.XContentTypeOptions = "nosniff";
                    headers["Referrer-Policy"] = "same-origin";
                    if (!headers.ContainsKey("Content-Security-Policy"))
                    {
                        headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'self'; object-src 'none'";
                    }
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (ServiceCallException e) when (!context.Response.HasStarted)
            {
                // A service said no (not found, unavailable…): the reader gets that status and the
                // service's message, escaped, never a stack trace.
                context.Response.Clear();
                context.Response.StatusCode = Json.JsonTranscoding.HttpStatusFor(e.Status);
                context.Response.ContentType = "text/html; charset=utf-8";
                var message = System.Net.WebUtility.HtmlEncode(e.Message);
                await context.Response.WriteAsync($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{context.Response.StatusCode}</title><link rel=\"stylesheet\" href=\"/css/site.css\"></head><body><main><h1>{context.Response.StatusCode}</h1><p>{message}</p><p><a href=\"/\">WSIS</a></p></main></body></html>");
            }
        });
        // CSS and script are embedded in the assembly, so they are served whatever the content root.
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new EmbeddedFileProvider(typeof(WebPages).Assembly, "Wsis.Gateway.wwwroot") });
        app.MapRazorPages();
        app.MapDownloads();
        app.MapGet("/language/{culture}", (string culture, string? returnUrl, HttpContext context) =>
        {
            if (Cultures.Contains(culture))
            {
                context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, HttpOnly = true });
            }
            return Results.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") ? returnUrl : "/");
        });
        return app;
    }
}
