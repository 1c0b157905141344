using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;

namespace Wsis.Gateway.SignIn;

/// <summary>
/// Sends the signed-in person's access token (kept in the cookie session at sign-in) with each call
/// the pages make to the services, which validate it as they validate any bearer token: the gateway
/// adds no trust of its own. A page of someone not signed in calls anonymously, as before.
/// </summary>
public sealed class SessionAccessToken(IHttpContextAccessor http, IAuthenticationSchemeProvider schemes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && await AccessTokenAsync() is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<string?> AccessTokenAsync()
    {
        if (http.HttpContext is not { } context || await schemes.GetSchemeAsync(SignInModule.SessionScheme) is null)
        {
            return null;
        }

        // The cookie handler reads the cookie once per request, whatever the number of calls.
        var session = await context.AuthenticateAsync(SignInModule.SessionScheme);
        return session.Succeeded && session.Properties?.GetTokenValue("access_token") is { Length: > 0 } token ? token : null;
    }
}
