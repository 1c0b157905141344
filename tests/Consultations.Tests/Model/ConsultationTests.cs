using NodaTime;
using Platform.Domain;
using Wsis.Consultations.Model;
using Xunit;

namespace Wsis.Consultations.Tests.Model;

public class ConsultationTests
{
    [Fact]
    public void A_member_state_opens_a_consultation_whose_deadline_is_computed_from_the_meeting_and_records_its_country()
    {
        var meeting = Given.Meeting();
        var consultation = Given.Open(meeting, Given.MemberState("BR"));

        Assert.Equal(ConsultationState.Open, consultation.State);
        Assert.Equal(meeting.Id, consultation.MeetingId);
        Assert.Equal(Given.Deadline, consultation.ClosesAt);
        Assert.Equal("BR", consultation.OpenedByCountryCode);
        Assert.Equal("ms-BR", consultation.OpenedBySubject);
        Assert.Equal(["What are the barriers?"], consultation.Questions);
    }

    [Fact]
    public void The_secretariat_opens_a_consultation_without_a_country()
    {
        Assert.Equal("", Given.Open(by: Given.Secretariat).OpenedByCountryCode);
    }

    [Fact]
    public void Only_a_member_state_or_the_secretariat_opens_a_consultation_because_the_group_is_limited_to_member_states()
    {
        var stakeholder = Actor.Create("org-1", [Role.Stakeholder]);
        var error = Given.Refused(DomainErrorKind.PermissionDenied, () => Given.Open(by: stakeholder));
        Assert.Contains("Council Resolution 1344", error.Message);

        // A member-state token without a country names no Member State.
        Given.Refused(DomainErrorKind.PermissionDenied, () => Given.Open(by: Actor.Create("ms-x", [Role.MemberState])));
    }

    [Fact]
    public void A_consultation_cannot_open_once_the_meetings_deadline_has_passed_and_the_error_names_the_deadline()
    {
        var early = Given.Meeting(2027, 2, 1);
        var error = Given.Refused(DomainErrorKind.FailedPrecondition, () => Given.Open(early));
        Assert.Contains("end of 1 January 2027, Geneva time", error.Message);
        Assert.Contains("2027-02-01", error.Message);
    }

    [Fact]
    public void Title_issue_text_and_questions_are_required_and_bounded_and_the_error_names_the_field()
    {
        var meeting = Given.Meeting();
        Consultation Open(string? title, string? issue, IReadOnlyList<string> questions) =>
            Consultation.Open(meeting, title, issue, questions, "K7M2Q9", Given.Secretariat, Given.January10);

        Assert.Equal("title is required", Given.Refused(DomainErrorKind.InvalidArgument, () => Open(" ", "i", [])).Message);
        Assert.Equal("issue_text is required", Given.Refused(DomainErrorKind.InvalidArgument, () => Open("t", null, [])).Message);
        Assert.Equal("questions[1] is required", Given.Refused(DomainErrorKind.InvalidArgument, () => Open("t", "i", ["q", ""])).Message);
        Assert.Contains("title is longer than 300", Given.Refused(DomainErrorKind.InvalidArgument, () => Open(new string('t', 301), "i", [])).Message);
        Assert.Contains("at most 50 questions", Given.Refused(DomainErrorKind.InvalidArgument, () => Open("t", "i", [.. Enumerable.Repeat("q", 51)])).Message);
    }

    [Fact]
    public void Ids_are_uuid_version_7()
    {
        var meeting = Given.Meeting();
        Assert.Equal(7, meeting.Id.Version);
        Assert.Equal(7, Given.Open(meeting).Id.Version);
    }

    [Fact]
    public void Closing_at_the_deadline_fixes_the_count_and_the_digest_of_the_published_responses()
    {
        var consultation = Given.Open();
        var root = Wsis.Contracts.Verification.MerkleLog.Root([Wsis.Contracts.Verification.MerkleLog.LeafHash(new byte[32]), Wsis.Contracts.Verification.MerkleLog.LeafHash(new byte[32])]);

        consultation.Close(2, root, Given.Deadline);

        Assert.Equal(ConsultationState.Closed, consultation.State);
        Assert.Equal(Given.Deadline, consultation.ClosedAt);
        Assert.Equal(2, consultation.PublishedResponseCount);
        Assert.Equal(Convert.ToHexStringLower(root), consultation.ResponsesDigest);
    }

    [Fact]
    public void A_consultation_does_not_close_before_its_deadline_and_closes_only_once()
    {
        var consultation = Given.Open();
        var early = Given.Refused(DomainErrorKind.FailedPrecondition, () => consultation.Close(0, Wsis.Contracts.Verification.MerkleLog.EmptyRoot(), Given.Deadline - Duration.FromTicks(1)));
        Assert.Contains("OPEN until its deadline, the end of 28 February 2027, Geneva time (2027-03-01T00:00:00+01:00)", early.Message);

        consultation.Close(0, Wsis.Contracts.Verification.MerkleLog.EmptyRoot(), Given.Deadline);
        var again = Given.Refused(DomainErrorKind.FailedPrecondition, () => consultation.Close(0, Wsis.Contracts.Verification.MerkleLog.EmptyRoot(), Given.Deadline));
        Assert.StartsWith("the consultation is CLOSED", again.Message);
    }

    [Fact]
    public void Only_a_closed_consultation_is_examined_and_an_open_one_is_told_when_it_closes()
    {
        var meeting = Given.Meeting();
        var open = Given.Open(meeting);
        var error = Given.Refused(DomainErrorKind.FailedPrecondition, () => open.RecordExamination(meeting, Given.Secretariat, Given.January10));
        Assert.Equal(
            "the consultation is OPEN; only a CLOSED consultation can be examined (it closes by itself at its deadline, the end of 28 February 2027, Geneva time (2027-03-01T00:00:00+01:00))",
            error.Message);

        var closed = Given.Closed();
        closed.RecordExamination(meeting, Given.Secretariat, Given.Deadline + Duration.FromDays(31));
        Assert.Equal(ConsultationState.Examined, closed.State);
        Assert.Equal(meeting.Id, closed.ExaminedAtMeetingId);
        var twice = Given.Refused(DomainErrorKind.FailedPrecondition, () => closed.RecordExamination(meeting, Given.Secretariat, Given.Deadline));
        Assert.StartsWith("the consultation is EXAMINED", twice.Message);
    }

    [Fact]
    public void Results_are_published_once_after_the_examination_with_a_summary()
    {
        var meeting = Given.Meeting();
        var consultation = Given.Closed(new string('a', 64));
        var tooEarly = Given.Refused(DomainErrorKind.FailedPrecondition, () => consultation.PublishResults("One response.", Given.Secretariat, Given.Deadline));
        Assert.Equal("the consultation is CLOSED; results are published after the group's examination is recorded (RecordExamination makes it EXAMINED)", tooEarly.Message);

        consultation.RecordExamination(meeting, Given.Secretariat, Given.Deadline);
        Assert.Equal("summary is required", Given.Refused(DomainErrorKind.InvalidArgument, () => consultation.PublishResults("", Given.Secretariat, Given.Deadline)).Message);
        consultation.PublishResults("One response.", Given.Secretariat, Given.Deadline + Duration.FromDays(40));

        Assert.Equal(ConsultationState.ResultsPublished, consultation.State);
        Assert.Equal("One response.", consultation.ResultsSummary);
        Assert.Equal(1, consultation.PublishedResponseCount);
        var again = Given.Refused(DomainErrorKind.FailedPrecondition, () => consultation.PublishResults("Another.", Given.Secretariat, Given.Deadline));
        Assert.StartsWith("the consultation is RESULTS_PUBLISHED", again.Message);
    }

    [Fact]
    public void Errors_name_states_as_partners_read_them_never_in_their_C_sharp_spelling()
    {
        var meeting = Given.Meeting();
        var consultation = Given.Closed();
        consultation.RecordExamination(meeting, Given.Secretariat, Given.Deadline);
        consultation.PublishResults("done", Given.Secretariat, Given.Deadline);
        var messages = new[]
        {
            Assert.Throws<DomainException>(() => consultation.RecordExamination(meeting, Given.Secretariat, Given.Deadline)).Message,
            Assert.Throws<DomainException>(() => consultation.PublishResults("again", Given.Secretariat, Given.Deadline)).Message,
            Assert.Throws<DomainException>(() => consultation.Close(0, Wsis.Contracts.Verification.MerkleLog.EmptyRoot(), Given.Deadline)).Message,
        };

        Assert.All(messages, m => Assert.Contains("RESULTS_PUBLISHED", m));
        Assert.All(messages, m => Assert.DoesNotContain("ResultsPublished", m));
    }

    [Fact]
    public void A_response_is_taken_in_until_the_tick_before_the_deadline_and_a_late_one_is_told_the_deadline()
    {
        var window = Given.Open().ResponseWindow;

        Assert.True(window.Accepts(Given.Deadline - Duration.FromTicks(1)));
        Assert.False(window.Accepts(Given.Deadline));
        Assert.Equal("the response deadline has passed: responses were accepted until the end of 28 February 2027, Geneva time (2027-03-01T00:00:00+01:00)", window.Refusal().Message);
        Assert.False(Given.Closed().ResponseWindow.Accepts(Given.January10));
    }
}
