using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Mvc;
using Wsis.Gateway.Workspace;
using Wsis.Teams.V1;

namespace Wsis.Gateway.Pages.Workspace;

/// <summary>ConveneCoordinatorsMeeting: the secretariat convenes the meeting of coordinators, funded by
/// both the ITU and UNESCO secretariats, with the number of vice-chair seats.</summary>
public sealed class ConveneCoordinatorsMeetingModel(Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsClient meetings) : WorkspacePage
{
    [BindProperty] public DateTime StartsAt { get; set; } = DateTime.UtcNow.Date.AddMonths(2).AddHours(9);
    [BindProperty] public string Venue { get; set; } = "";
    [BindProperty] public string CurrencyCode { get; set; } = "CHF";
    [BindProperty] public decimal ItuAmount { get; set; }
    [BindProperty] public decimal UnescoAmount { get; set; }
    [BindProperty] public int ViceChairSeats { get; set; } = 2;

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostAsync()
    {
        var currency = (CurrencyCode ?? "").Trim().ToUpperInvariant();
        var request = new ConveneCoordinatorsMeetingRequest
        {
            StartsAt = Timestamp.FromDateTime(DateTime.SpecifyKind(StartsAt, DateTimeKind.Utc)),
            Venue = Venue ?? "",
            ViceChairSeats = ViceChairSeats,
            RequestId = RequestId,
            Funding =
            {
                new FundingLine { Funder = Funder.Itu, Amount = new Money { CurrencyCode = currency, AmountMinor = (long)(ItuAmount * 100) } },
                new FundingLine { Funder = Funder.Unesco, Amount = new Money { CurrencyCode = currency, AmountMinor = (long)(UnescoAmount * 100) } },
            },
        };
        return SubmitAsync(async c => await meetings.ConveneCoordinatorsMeetingAsync(request, cancellationToken: c),
            $"Meeting of coordinators convened: {Venue}",
            ("starts_at", nameof(StartsAt)), ("venue", nameof(Venue)), ("vice_chair_seats", nameof(ViceChairSeats)),
            ("funding[0]", nameof(ItuAmount)), ("funding[1]", nameof(UnescoAmount)), ("funding", nameof(ItuAmount)));
    }
}
