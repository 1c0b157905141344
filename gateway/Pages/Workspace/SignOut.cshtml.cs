using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Wsis.Gateway.SignIn;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>Ends the session here and at the provider (its end-session endpoint), then back to the home page.</summary>
public sealed class SignOutModel(IOptions<SignInOptions> options) : PageModel
{
    public void OnGet()
    {
    }

    public IActionResult OnPost()
    {
        var properties = new AuthenticationProperties { RedirectUri = "/" };
        return options.Value.IsConfigured
            ? SignOut(properties, SignInModule.SessionScheme, SignInModule.ProviderScheme)
            : SignOut(properties, SignInModule.SessionScheme);
    }
}
