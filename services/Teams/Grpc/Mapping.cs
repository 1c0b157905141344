using Google.Protobuf.WellKnownTypes;
using NodaTime;
using Platform.Security;
using Wsis.Teams.Model;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Grpc;

/// <summary>Domain objects to teams.v1 messages and back, and the caller to the domain's actor.</summary>
internal static class Mapping
{
    /// <summary>The token's caller as the model sees it; an anonymous caller has no subject and no roles.</summary>
    public static Actor Actor(Caller caller) =>
        caller.IsAuthenticated
            ? Platform.Domain.Actor.Create(caller.Subject!, caller.Roles, caller.Org, caller.Country, caller.Name)
            : Platform.Domain.Actor.Anonymous;

    public static V1.ListHistoryResponse ToMessage(IReadOnlyList<HistoryEntry> entries, string nextPageToken)
    {
        var response = new V1.ListHistoryResponse { NextPageToken = nextPageToken };
        response.Entries.AddRange(entries.Select(e => new V1.HistoryEntry
        {
            Action = e.Action,
            Detail = e.Detail,
            ActorSubject = e.ActorSubject,
            ActorName = e.ActorName,
            At = Timestamp.FromDateTimeOffset(e.At),
        }));
        return response;
    }

    public static Timestamp Ts(Instant at) => Timestamp.FromDateTimeOffset(at.ToDateTimeOffset());

    /// <summary>A request's timestamp, to the tick; null when absent, which the model refuses naming the field.</summary>
    public static Instant? ToInstant(Timestamp? timestamp, string field)
    {
        if (timestamp is null) return null;
        try
        {
            return NodaTime.Instant.FromDateTimeOffset(timestamp.ToDateTimeOffset());
        }
        catch (InvalidOperationException)
        {
            throw DomainException.InvalidArgument($"{field} is not a valid timestamp");
        }
    }

    public static V1.Stakeholder ToMessage(Stakeholder s, bool showContact) => new()
    {
        Id = s.Id.ToString(),
        Name = s.Name,
        Category = ToMessage(s.Category),
        CountryCode = s.CountryCode,
        // Personal data: only the secretariat and the stakeholder itself see it.
        ContactEmail = showContact ? s.ContactEmail : "",
        RegisteredAt = Ts(s.RegisteredAt),
    };

    /// <summary>teams.v1.StakeholderCategory → the platform's category; a number the proto does not define is Unspecified.</summary>
    public static StakeholderCategory Category(V1.StakeholderCategory c) => c switch
    {
        V1.StakeholderCategory.Government => StakeholderCategory.Government,
        V1.StakeholderCategory.PrivateSector => StakeholderCategory.PrivateSector,
        V1.StakeholderCategory.CivilSociety => StakeholderCategory.CivilSociety,
        V1.StakeholderCategory.IntergovernmentalOrganization => StakeholderCategory.IntergovernmentalOrganization,
        V1.StakeholderCategory.InternationalOrganization => StakeholderCategory.InternationalOrganization,
        V1.StakeholderCategory.AcademicAndTechnical => StakeholderCategory.AcademicAndTechnical,
        _ => StakeholderCategory.Unspecified,
    };

    /// <summary>The platform's category → teams.v1.StakeholderCategory, which has no INDIVIDUAL: the register holds organisations only (<see cref="Stakeholder.Register"/>).</summary>
    public static V1.StakeholderCategory ToMessage(StakeholderCategory c) => c switch
    {
        StakeholderCategory.Government => V1.StakeholderCategory.Government,
        StakeholderCategory.PrivateSector => V1.StakeholderCategory.PrivateSector,
        StakeholderCategory.CivilSociety => V1.StakeholderCategory.CivilSociety,
        StakeholderCategory.IntergovernmentalOrganization => V1.StakeholderCategory.IntergovernmentalOrganization,
        StakeholderCategory.InternationalOrganization => V1.StakeholderCategory.InternationalOrganization,
        StakeholderCategory.AcademicAndTechnical => V1.StakeholderCategory.AcademicAndTechnical,
        _ => V1.StakeholderCategory.Unspecified,
    };

    public static V1.ActionLine ToMessage(ActionLine l) => new() { Code = l.Code, Title = l.Title, ParentCode = l.ParentCode ?? "" };

    public static V1.Team ToMessage(Team t, IReadOnlyDictionary<Guid, string> stakeholderNames, IEnumerable<TeamMeeting> meetings)
    {
        var line = ActionLine.Find(t.ActionLineCode);
        var message = new V1.Team
        {
            Id = t.Id.ToString(),
            ActionLineCode = t.ActionLineCode,
            ActionLineTitle = line?.Title ?? "",
            CoordinatorStakeholderId = t.DesignatedCoordinator?.StakeholderId.ToString() ?? "",
            DesignationState = t.DesignationState switch
            {
                null => V1.DesignationState.NoCoordinator,
                DesignationStage.Nominated => V1.DesignationState.Nominated,
                DesignationStage.Recommended => V1.DesignationState.Recommended,
                _ => V1.DesignationState.Designated,
            },
            PendingStakeholderId = t.Designations.Where(d => d.IsUnderWay).OrderByDescending(d => d.Stage).ThenByDescending(d => d.Id.ToString())
                .Select(d => d.StakeholderId.ToString()).FirstOrDefault() ?? "",
            Modalities = t.CurrentModalities is { } m ? ToMessage(m) : new V1.CoordinationModalities { Version = 0 },
            CreatedAt = Ts(t.CreatedAt),
        };
        message.Members.AddRange(t.CurrentMembers.Select(mb => new V1.TeamMember
        {
            StakeholderId = mb.StakeholderId.ToString(),
            StakeholderName = stakeholderNames.GetValueOrDefault(mb.StakeholderId, ""),
            JoinedAt = Ts(mb.JoinedAt),
            JoinedBy = mb.JoinedBy,
        }));
        message.DesignationHistory.AddRange(Steps(t.Designations));
        message.Designations.AddRange(t.Designations.Where(d => d.DesignatedAt is not null).OrderBy(d => d.DesignatedAt).Select(d =>
        {
            var record = new V1.CoordinatorDesignationRecord
            {
                StakeholderId = d.StakeholderId.ToString(),
                DecisionReference = d.DecisionReference ?? "",
                DesignatedAt = Ts(d.DesignatedAt!.Value),
            };
            if (d.EndedAt is { } ended) record.EndedAt = Ts(ended);
            return record;
        }));
        message.Meetings.AddRange(meetings.OrderBy(x => x.StartsAt).Select(ToMessage));
        return message;
    }

    /// <summary>Every recorded step, oldest first.</summary>
    private static IEnumerable<V1.CoordinatorStep> Steps(IEnumerable<CoordinatorDesignation> designations)
    {
        var steps = new List<(Instant At, int Order, V1.CoordinatorStep Step)>();
        foreach (var d in designations)
        {
            var id = d.StakeholderId.ToString();
            steps.Add((d.NominatedAt, 1, new V1.CoordinatorStep { StakeholderId = id, State = V1.DesignationState.Nominated, RecordedAt = Ts(d.NominatedAt), RecordedBy = d.NominatedBy }));
            if (d.RecommendedAt is { } r)
                steps.Add((r, 2, new V1.CoordinatorStep { StakeholderId = id, State = V1.DesignationState.Recommended, Reference = d.MeetingReference ?? "", RecordedAt = Ts(r), RecordedBy = d.RecommendedBy ?? "" }));
            if (d.DesignatedAt is { } g)
                steps.Add((g, 3, new V1.CoordinatorStep { StakeholderId = id, State = V1.DesignationState.Designated, Reference = d.DecisionReference ?? "", RecordedAt = Ts(g), RecordedBy = d.DesignatedBy ?? "" }));
        }
        return steps.OrderBy(s => s.At).ThenBy(s => s.Order).Select(s => s.Step);
    }

    public static V1.CoordinationModalities ToMessage(CoordinationModalities m) => new()
    {
        Version = m.Version,
        Text = m.Text,
        SetAt = Ts(m.SetAt),
        SetBy = m.SetBy,
    };

    public static V1.TeamMeeting ToMessage(TeamMeeting m)
    {
        var message = new V1.TeamMeeting
        {
            Id = m.Id.ToString(),
            TeamId = m.TeamId.ToString(),
            Title = m.Title,
            StartsAt = Ts(m.StartsAt),
            EndsAt = Ts(m.EndsAt),
            VenueOrLink = m.VenueOrLink,
            Agenda = m.Agenda ?? "",
        };
        message.RegisteredStakeholderIds.AddRange(m.Registrations.Select(r => r.StakeholderId.ToString()));
        return message;
    }

    public static V1.CoordinatorsMeeting ToMessage(CoordinatorsMeeting m)
    {
        var message = new V1.CoordinatorsMeeting
        {
            Id = m.Id.ToString(),
            StartsAt = Ts(m.StartsAt),
            Venue = m.Venue,
            ViceChairSeats = m.ViceChairSeats,
            ElectionState = m.IsElectionClosed ? V1.ElectionState.ElectionClosed : V1.ElectionState.ElectionOpen,
            ChairStakeholderId = m.ChairId?.ToString() ?? "",
            ImplementationFramework = m.ImplementationFramework ?? "",
        };
        message.Funding.AddRange(m.Funding.Select(f => new V1.FundingLine
        {
            Funder = f.Funder == Model.Funder.Itu ? V1.Funder.Itu : V1.Funder.Unesco,
            Amount = new V1.Money { CurrencyCode = f.Currency, AmountMinor = f.AmountMinor },
        }));
        message.Nominations.AddRange(m.Nominations.Select(n => new V1.OfficerNomination
        {
            Office = Office(n.Office),
            StakeholderId = n.StakeholderId.ToString(),
            NominatedAt = Ts(n.NominatedAt),
        }));
        message.ViceChairStakeholderIds.AddRange(m.ViceChairIds.Select(id => id.ToString()));
        // Tallies stay secret while the election is open.
        if (m.IsElectionClosed)
        {
            message.Results.Add(Result(m, Model.Office.Chair, m.ChairId is { } c ? [c] : [], m.ChairTieIds));
            message.Results.Add(Result(m, Model.Office.ViceChair, m.ViceChairIds, m.ViceChairTieIds));
        }
        message.StocktakingProcedures.AddRange(m.StocktakingProcedures.OrderBy(p => p.Year).Select(p =>
        {
            var procedures = new V1.StocktakingProcedures { Year = p.Year, ContributionDeadline = Ts(p.ContributionDeadline), SetAt = Ts(p.SetAt) };
            procedures.RequiredFields.AddRange(p.RequiredFields);
            return procedures;
        }));
        return message;
    }

    private static V1.OfficeResult Result(CoordinatorsMeeting m, Office office, IReadOnlyList<Guid> elected, IReadOnlyList<Guid> tied)
    {
        var result = new V1.OfficeResult
        {
            Office = Office(office),
            Tie = tied.Count > 0,
            BallotsCast = m.Ballots.Count(b => b.Office == office),
        };
        result.ElectedStakeholderIds.AddRange(elected.Select(id => id.ToString()));
        result.TiedStakeholderIds.AddRange(tied.Select(id => id.ToString()));
        result.Tallies.AddRange(m.Tally(office).Select(t => new V1.CandidateTally { StakeholderId = t.CandidateId.ToString(), Votes = t.Votes }));
        return result;
    }

    public static V1.Office Office(Office office) => office == Model.Office.Chair ? V1.Office.Chair : V1.Office.ViceChair;

    /// <summary>The domain funder, or 0 (refused by the domain as "funding[i].funder must be ITU or UNESCO") when unspecified.</summary>
    public static Funder Funder(V1.Funder funder) => funder switch
    {
        V1.Funder.Itu => Model.Funder.Itu,
        V1.Funder.Unesco => Model.Funder.Unesco,
        _ => 0,
    };

    /// <summary>The domain office, or 0 (refused by the domain as "office must be CHAIR or VICE_CHAIR") when unspecified.</summary>
    public static Office Office(V1.Office office) => office switch
    {
        V1.Office.Chair => Model.Office.Chair,
        V1.Office.ViceChair => Model.Office.ViceChair,
        _ => 0,
    };
}
