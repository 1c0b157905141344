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
        services.AddServiceClients();
        services.AddScoped<StakeholderNames>();
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
        // Only what the gateway serves itself: forwarded calls and the services' own methods (embedded
        // host) skip languages, page headers and static files.
        app.UseWhen(IsPageRequest, pages =>
        {
            pages.UseRequestLocalization();
            pages.Use(AddSecurityHeaders);
            pages.Use(ShowServiceErrors);
            // CSS and script are embedded in the assembly, so they are served whatever the content root.
            pages.UseStaticFiles(new StaticFileOptions { FileProvider = new EmbeddedFileProvider(typeof(WebPages).Assembly, "Wsis.Gateway.wwwroot") });
        });
        app.MapRazorPages();
        app.MapDownloads();
        app.MapAtomFeeds();
        app.MapGet("/language/{culture}", (string culture, string? returnUrl, HttpContext context) =>
        {
            if (Cultures.Contains(culture))
            {
                context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, HttpOnly = true });
            }
            return Results.LocalRedirect(IsSafeReturnUrl(returnUrl) ? returnUrl! : "/");
        });
        return app;
    }

    private static bool IsPageRequest(HttpContext context) =>
        context.GetEndpoint() is not { } endpoint
        || endpoint.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is null
            && endpoint.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>() is null;

    private static Task AddSecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var reference = context.Request.Path.StartsWithSegments(Api.ApiDocument.ReferencePath);
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            if (!headers.ContainsKey("Content-Security-Policy"))
            {
                // The API reference (Scalar) starts itself with an inline module script and inline styles.
                headers.ContentSecurityPolicy = reference
                    ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'self'; object-src 'none'"
                    : "default-src 'self'; frame-ancestors 'self'; object-src 'none'";
            }
            return Task.CompletedTask;
        });
        return next(context);
    }

    private static async Task ShowServiceErrors(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Grpc.Core.RpcException e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // A service said no (not found, unavailable…): the reader gets that status and the
            // service's message, escaped, never a stack trace.
            context.Response.Clear();
            context.Response.StatusCode = Proxy.GatewayAnswers.HttpStatusFor(e.StatusCode);
            context.Response.ContentType = "text/html; charset=utf-8";
            var message = System.Net.WebUtility.HtmlEncode(e.Status.Detail);
            await context.Response.WriteAsync($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{context.Response.StatusCode}</title><link rel=\"stylesheet\" href=\"/css/site.css\"></head><body><main><h1>{context.Response.StatusCode}</h1><p>{message}</p><p><a href=\"/\">WSIS</a></p></main></body></html>");
        }
    }

    /// <summary>
    /// A path on this site to send the reader back to: local (not <c>//host</c> nor <c>/\host</c>, which
    /// browsers read as another site) and printable ASCII only, since it goes into a <c>Location</c>
    /// header (a tab, CR LF or U+2028 would make the redirect fail). Anything else goes to the home page.
    /// </summary>
    public static bool IsSafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl)
        && Microsoft.AspNetCore.Http.HttpResults.RedirectHttpResult.IsLocalUrl(returnUrl)
        && returnUrl.All(c => c is > ' ' and < (char)0x7F);
}
