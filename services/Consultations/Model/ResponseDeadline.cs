using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Wsis.Consultations.Model;

/// <summary>
/// The response deadline of a CWG-Internet open consultation (Council Resolution 1344):
/// "one month before the group's meeting", read as the end of the calendar day one month
/// before the meeting's first day, in Geneva time.
/// </summary>
/// <remarks>
/// "End of day" is defined as the instant the next Geneva calendar day starts, and it is
/// exclusive: a response received at <see cref="ClosesAt"/> or later is late, one received
/// a tick before is on time. This avoids the 23:59:59.999… ambiguity and survives any
/// storage precision. Geneva (Europe/Zurich) switches clocks at 02:00/03:00 local time, so
/// midnight always exists; should the zone rules ever skip midnight, NodaTime's
/// <c>AtStartOfDay</c> still returns the first instant of that day.
/// One month before is NodaTime's calendar arithmetic: the same day number in the previous
/// month, clamped to that month's last day (31 March → 28 or 29 February, 31 May → 30 April).
/// </remarks>
public sealed record ResponseDeadline
{
    public static readonly DateTimeZone Geneva = DateTimeZoneProviders.Tzdb["Europe/Zurich"];

    private static readonly LocalDatePattern DayPattern =
        LocalDatePattern.Create("d MMMM uuuu", CultureInfo.InvariantCulture);
    private static readonly OffsetDateTimePattern OffsetPattern =
        OffsetDateTimePattern.Create("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>", CultureInfo.InvariantCulture, default);

    private ResponseDeadline(LocalDate meetingFirstDay, LocalDate lastDay, Instant closesAt)
    {
        MeetingFirstDay = meetingFirstDay;
        LastDay = lastDay;
        ClosesAt = closesAt;
    }

    /// <summary>The first day of the group meeting the consultation prepares.</summary>
    public LocalDate MeetingFirstDay { get; }

    /// <summary>The last Geneva calendar day on which responses are accepted.</summary>
    public LocalDate LastDay { get; }

    /// <summary>The first instant at which a response is late (exclusive end of <see cref="LastDay"/>).</summary>
    public Instant ClosesAt { get; }

    /// <summary>The closing instant as Geneva wall-clock time with its offset (CET +01 or CEST +02).</summary>
    public ZonedDateTime ClosesAtInGeneva => ClosesAt.InZone(Geneva);

    public static ResponseDeadline ForMeetingStartingOn(LocalDate meetingFirstDay)
    {
        if (meetingFirstDay.Calendar != CalendarSystem.Iso)
        {
            throw new ArgumentException("The meeting date must be in the ISO calendar.", nameof(meetingFirstDay));
        }

        var lastDay = meetingFirstDay.PlusMonths(-1);
        var closesAt = Geneva.AtStartOfDay(lastDay.PlusDays(1)).ToInstant();
        return new ResponseDeadline(meetingFirstDay, lastDay, closesAt);
    }

    /// <summary>True when a response received at <paramref name="receivedAt"/> is on time.</summary>
    public bool Accepts(Instant receivedAt) => receivedAt < ClosesAt;

    /// <summary>The closing instant as an ISO-8601 offset date-time in Geneva, e.g. <c>2027-03-01T00:00:00+01:00</c>.</summary>
    public string ClosesAtGenevaIso => OffsetPattern.Format(ClosesAtInGeneva.ToOffsetDateTime());

    /// <summary>How people read it: "end of 28 February 2027, Geneva time (2027-03-01T00:00:00+01:00)".</summary>
    public string Describe() =>
        $"end of {DayPattern.Format(LastDay)}, Geneva time ({ClosesAtGenevaIso})";

    public override string ToString() => Describe();

    /// <summary>
    /// Describes a stored closing instant the way <see cref="Describe"/> does, for messages that
    /// only have the instant (e.g. "end of 28 February 2027, Geneva time (2027-03-01T00:00:00+01:00)").
    /// </summary>
    public static string DescribeClosing(Instant closesAt)
    {
        var geneva = closesAt.InZone(Geneva);
        var lastDay = geneva.TimeOfDay == LocalTime.Midnight ? geneva.Date.PlusDays(-1) : geneva.Date;
        return $"end of {DayPattern.Format(lastDay)}, Geneva time ({OffsetPattern.Format(geneva.ToOffsetDateTime())})";
    }

    /// <summary>An instant as Geneva wall-clock time with its offset, ISO 8601.</summary>
    public static string FormatInGeneva(Instant instant) => OffsetPattern.Format(instant.InZone(Geneva).ToOffsetDateTime());
}
