using NodaTime;

namespace Wsis.Teams.Model;

/// <summary>An organisation in the register; every team is open to it.</summary>
public sealed class Stakeholder
{
    private Stakeholder() { Name = CountryCode = ContactEmail = RegisteredBy = ""; }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public StakeholderCategory Category { get; private set; }
    /// <summary>
    /// ISO 3166-1 alpha-2, checked by <see cref="Platform.Domain.CountryCode"/> on registration. Held as
    /// text rather than as that type so that codes the register accepted before the shared list (any
    /// region the runtime knew) still read back.
    /// </summary>
    public string CountryCode { get; private set; }
    public string ContactEmail { get; private set; }
    public Instant RegisteredAt { get; private set; }
    public string RegisteredBy { get; private set; }

    public static Stakeholder Register(string? name, StakeholderCategory category, string? countryCode, string? contactEmail, Actor actor, Instant now)
    {
        if (!category.IsOrganisation())
            throw DomainException.InvalidArgument("category is required (GOVERNMENT, PRIVATE_SECTOR, CIVIL_SOCIETY, INTERGOVERNMENTAL_ORGANIZATION, INTERNATIONAL_ORGANIZATION or ACADEMIC_AND_TECHNICAL)");
        return new Stakeholder
        {
            Id = Guid.CreateVersion7(now.ToDateTimeOffset()),
            Name = Text.Required(name, "name"),
            Category = category,
            CountryCode = Platform.Domain.CountryCode.Parse(countryCode),
            ContactEmail = Text.Email(contactEmail),
            RegisteredAt = now,
            RegisteredBy = actor.Subject,
        };
    }

    /// <summary>The contact address is personal data: only the secretariat and the stakeholder itself see it.</summary>
    public bool ShowsContactTo(Actor actor) => actor.IsSecretariat || actor.SpeaksFor(Id);
}
