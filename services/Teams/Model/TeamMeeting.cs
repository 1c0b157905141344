using NodaTime;
using NodaTime.Text;

namespace Wsis.Teams.Model;

/// <summary>A meeting a team's coordinator organises; open to every stakeholder, not only members. Its history is its team's.</summary>
public sealed class TeamMeeting : IRecordsHistory
{
    private readonly NewHistory _newHistory = new();
    private readonly List<MeetingRegistration> _registrations = [];

    private TeamMeeting() { Title = VenueOrLink = ScheduledBy = ""; }

    public Guid Id { get; private set; }
    public Guid TeamId { get; private set; }
    public string Title { get; private set; }
    public Instant StartsAt { get; private set; }
    public Instant EndsAt { get; private set; }
    public string VenueOrLink { get; private set; }
    public string? Agenda { get; private set; }
    public Instant ScheduledAt { get; private set; }
    public string ScheduledBy { get; private set; }
    public IReadOnlyList<MeetingRegistration> Registrations => _registrations;

    internal static TeamMeeting Schedule(Guid teamId, string? title, Instant? startsAt, Instant? endsAt, string? venueOrLink, string? agenda, Actor actor, Instant now)
    {
        var name = Text.Required(title, "title");
        if (startsAt is not { } starts)
            throw DomainException.InvalidArgument("starts_at is required");
        if (endsAt is not { } ends)
            throw DomainException.InvalidArgument("ends_at is required");
        if (starts <= now)
            throw DomainException.InvalidArgument("starts_at must be in the future");
        if (ends <= starts)
            throw DomainException.InvalidArgument("ends_at must be after starts_at");
        var meeting = new TeamMeeting
        {
            Id = Guid.CreateVersion7(now.ToDateTimeOffset()),
            TeamId = teamId,
            Title = name,
            StartsAt = starts,
            EndsAt = ends,
            VenueOrLink = Text.Required(venueOrLink, "venue_or_link", Text.ReferenceMax),
            Agenda = Text.Optional(agenda, "agenda", Text.LongTextMax),
            ScheduledAt = now,
            ScheduledBy = actor.Subject,
        };
        meeting.Record("TeamMeetingScheduled",
            $"meeting \"{meeting.Title}\" ({meeting.Id}) scheduled from {InstantPattern.General.Format(starts)} to {InstantPattern.General.Format(ends)}", actor, now);
        return meeting;
    }

    public MeetingRegistration Register(Stakeholder stakeholder, Actor actor, Instant now)
    {
        if (!actor.IsSecretariat && !actor.SpeaksFor(stakeholder.Id))
            throw DomainException.PermissionDenied("a stakeholder may register only itself for a meeting (the token's org must be stakeholder_id); the secretariat may register anyone");
        if (now >= EndsAt)
            throw DomainException.FailedPrecondition($"the meeting ended at {InstantPattern.General.Format(EndsAt)}; registration is closed");
        if (_registrations.Any(r => r.StakeholderId == stakeholder.Id))
            throw DomainException.AlreadyExists($"stakeholder {stakeholder.Id} is already registered for meeting {Id}");
        var registration = new MeetingRegistration(Guid.CreateVersion7(now.ToDateTimeOffset()), stakeholder.Id, now, actor.Subject);
        _registrations.Add(registration);
        Record("TeamMeetingRegistration", $"{stakeholder.Name} ({stakeholder.Id}) registered for meeting \"{Title}\" ({Id})", actor, now);
        return registration;
    }

    public IReadOnlyList<HistoryEntry> TakeNewHistory() => _newHistory.Take();

    private void Record(string action, string detail, Actor actor, Instant now) =>
        _newHistory.Record(HistoryEntry.Of(HistorySubject.Team, TeamId, action, detail, actor, now.ToDateTimeOffset()));
}

public sealed class MeetingRegistration
{
    private MeetingRegistration() { RegisteredBy = ""; }

    internal MeetingRegistration(Guid id, Guid stakeholderId, Instant registeredAt, string registeredBy)
    {
        Id = id;
        StakeholderId = stakeholderId;
        RegisteredAt = registeredAt;
        RegisteredBy = registeredBy;
    }

    public Guid Id { get; private set; }
    public Guid StakeholderId { get; private set; }
    public Instant RegisteredAt { get; private set; }
    public string RegisteredBy { get; private set; }
}
