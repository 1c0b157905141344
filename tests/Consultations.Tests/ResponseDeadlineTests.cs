using NodaTime;
using Wsis.Consultations.Model;
using Xunit;

namespace Wsis.Consultations.Tests;

public class ResponseDeadlineTests
{
    private static Instant Utc(int y, int mo, int d, int h, int mi = 0) =>
        Instant.FromUtc(y, mo, d, h, mi);

    [Fact]
    public void A_meeting_on_31_March_clamps_to_the_end_of_28_February_in_a_common_year()
    {
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2027, 3, 31));

        Assert.Equal(new LocalDate(2027, 2, 28), deadline.LastDay);
        // 1 March 00:00 in Geneva is CET (+01:00) → 28 February 23:00 UTC.
        Assert.Equal(Utc(2027, 2, 28, 23), deadline.ClosesAt);
        Assert.Equal("2027-03-01T00:00:00+01:00", deadline.ClosesAtGenevaIso);
        Assert.Equal("end of 28 February 2027, Geneva time (2027-03-01T00:00:00+01:00)", deadline.Describe());
    }

    [Fact]
    public void A_meeting_on_31_March_of_a_leap_year_ends_on_29_February()
    {
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2028, 3, 31));

        Assert.Equal(new LocalDate(2028, 2, 29), deadline.LastDay);
        Assert.Equal(Utc(2028, 2, 29, 23), deadline.ClosesAt);
    }

    [Fact]
    public void A_meeting_on_29_March_of_a_common_year_clamps_to_28_February()
    {
        Assert.Equal(new LocalDate(2027, 2, 28), ResponseDeadline.ForMeetingStartingOn(new LocalDate(2027, 3, 29)).LastDay);
        Assert.Equal(new LocalDate(2027, 2, 28), ResponseDeadline.ForMeetingStartingOn(new LocalDate(2027, 3, 28)).LastDay);
    }

    [Fact]
    public void A_meeting_on_29_March_of_a_leap_year_keeps_29_February()
    {
        Assert.Equal(new LocalDate(2028, 2, 29), ResponseDeadline.ForMeetingStartingOn(new LocalDate(2028, 3, 29)).LastDay);
    }

    [Fact]
    public void A_meeting_on_31_May_ends_on_30_April()
    {
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2027, 5, 31));
        Assert.Equal(new LocalDate(2027, 4, 30), deadline.LastDay);
        // 1 May 00:00 CEST (+02:00) → 30 April 22:00 UTC.
        Assert.Equal(Utc(2027, 4, 30, 22), deadline.ClosesAt);
    }

    [Fact]
    public void A_meeting_on_the_first_of_a_month_ends_on_the_first_of_the_previous_month()
    {
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2027, 4, 1));
        Assert.Equal(new LocalDate(2027, 3, 1), deadline.LastDay);
        Assert.Equal(Utc(2027, 3, 1, 23), deadline.ClosesAt);
    }

    [Fact]
    public void A_meeting_on_1_January_ends_on_1_December_of_the_previous_year()
    {
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2028, 1, 1));
        Assert.Equal(new LocalDate(2027, 12, 1), deadline.LastDay);
        Assert.Equal(Utc(2027, 12, 1, 23), deadline.ClosesAt);
    }

    [Fact]
    public void When_the_last_day_is_the_spring_forward_Sunday_the_day_lasts_23_hours_and_closes_in_summer_time()
    {
        // 2027: clocks go forward on Sunday 28 March (02:00 CET → 03:00 CEST).
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2027, 4, 28));

        Assert.Equal(new LocalDate(2027, 3, 28), deadline.LastDay);
        Assert.Equal(Utc(2027, 3, 28, 22), deadline.ClosesAt);
        Assert.Equal("2027-03-29T00:00:00+02:00", deadline.ClosesAtGenevaIso);
        var startOfLastDay = ResponseDeadline.Geneva.AtStartOfDay(deadline.LastDay).ToInstant();
        Assert.Equal(Duration.FromHours(23), deadline.ClosesAt - startOfLastDay);
    }

    [Fact]
    public void When_the_day_after_the_last_day_is_the_spring_forward_Sunday_midnight_is_still_CET()
    {
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2027, 4, 27));
        Assert.Equal(new LocalDate(2027, 3, 27), deadline.LastDay);
        Assert.Equal(Utc(2027, 3, 27, 23), deadline.ClosesAt);
    }

    [Fact]
    public void The_day_before_the_fall_back_Sunday_closes_at_midnight_summer_time()
    {
        // 2027: clocks go back on Sunday 31 October; meeting 30 November → last day Saturday 30 October.
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2027, 11, 30));

        Assert.Equal(new LocalDate(2027, 10, 30), deadline.LastDay);
        Assert.Equal(Utc(2027, 10, 30, 22), deadline.ClosesAt);
        Assert.Equal("2027-10-31T00:00:00+02:00", deadline.ClosesAtGenevaIso);
    }

    [Fact]
    public void On_the_fall_back_Sunday_the_closing_day_has_25_hours()
    {
        // 2026: clocks go back on Sunday 25 October. Meeting on 25 November 2026.
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2026, 11, 25));

        Assert.Equal(new LocalDate(2026, 10, 25), deadline.LastDay);
        Assert.Equal(IsoDayOfWeek.Sunday, deadline.LastDay.DayOfWeek);
        Assert.Equal(Utc(2026, 10, 25, 23), deadline.ClosesAt);
        Assert.Equal("2026-10-26T00:00:00+01:00", deadline.ClosesAtGenevaIso);
        var startOfLastDay = ResponseDeadline.Geneva.AtStartOfDay(deadline.LastDay).ToInstant();
        Assert.Equal(Duration.FromHours(25), deadline.ClosesAt - startOfLastDay);
    }

    [Fact]
    public void The_closing_instant_is_exclusive()
    {
        var deadline = ResponseDeadline.ForMeetingStartingOn(new LocalDate(2027, 3, 31));

        Assert.True(deadline.Accepts(deadline.ClosesAt - Duration.Epsilon));
        Assert.False(deadline.Accepts(deadline.ClosesAt));
        // 23:59:59 Geneva time on the last day is accepted; 00:00:00 the next day is not.
        Assert.True(deadline.Accepts(Utc(2027, 2, 28, 22, 59) + Duration.FromSeconds(59)));
        Assert.False(deadline.Accepts(Utc(2027, 2, 28, 23)));
    }
}
