using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>RegisterStakeholder: any signed-in person registers an organisation in the register of stakeholders.</summary>
public sealed class RegisterStakeholderModel(Wsis.Teams.V1.Stakeholders.StakeholdersClient stakeholders) : WorkspacePage
{
    [BindProperty] public string Name { get; set; } = "";
    [BindProperty] public StakeholderCategory Category { get; set; } = StakeholderCategory.CivilSociety;
    [BindProperty] public string CountryCode { get; set; } = "";
    [BindProperty] public string ContactEmail { get; set; } = "";

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostAsync()
    {
        var request = new RegisterStakeholderRequest
        {
            Name = Name ?? "",
            Category = Category,
            CountryCode = (CountryCode ?? "").ToUpperInvariant(),
            ContactEmail = ContactEmail ?? "",
            RequestId = RequestId,
        };
        return SubmitAsync(async c => await stakeholders.RegisterStakeholderAsync(request, cancellationToken: c),
            $"Organisation registered: {Name}",
            ("name", nameof(Name)), ("category", nameof(Category)), ("country_code", nameof(CountryCode)), ("contact_email", nameof(ContactEmail)));
    }
}
