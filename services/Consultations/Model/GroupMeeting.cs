using NodaTime;

namespace Wsis.Consultations.Model;

/// <summary>A meeting of CWG-Internet; each consultation prepares one, and the group examines its responses there.</summary>
public sealed class GroupMeeting
{
    public const int VenueMax = 500;

    private GroupMeeting() => Venue = "";

    public Guid Id { get; private set; }

    /// <summary>First day of the meeting (a Geneva calendar date).</summary>
    public LocalDate StartsOn { get; private set; }

    public string Venue { get; private set; }

    public Instant CreatedAt { get; private set; }

    /// <summary>The deadline for responses to a consultation that prepares this meeting: one month before it (Council Resolution 1344).</summary>
    public ResponseDeadline ResponseDeadline => ResponseDeadline.ForMeetingStartingOn(StartsOn);

    public static GroupMeeting Schedule(LocalDate startsOn, string? venue, Instant now) => new()
    {
        Id = Guid.CreateVersion7(now.ToDateTimeOffset()),
        StartsOn = startsOn,
        Venue = Input.Required(venue, "venue", VenueMax),
        CreatedAt = now,
    };
}
