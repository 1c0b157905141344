using NodaTime;
using Platform.Domain;
using Wsis.Consultations.Model;
using Xunit;

namespace Wsis.Consultations.Tests.Model;

/// <summary>Ready-made actors, meetings and consultations for the domain tests.</summary>
internal static class Given
{
    /// <summary>10 January 2027, noon UTC: well before the deadline of a meeting on 31 March 2027.</summary>
    public static readonly Instant January10 = Instant.FromUtc(2027, 1, 10, 12, 0);

    /// <summary>The deadline of a meeting on 31 March 2027: the end of 28 February 2027 in Geneva (23:00 UTC).</summary>
    public static readonly Instant Deadline = Instant.FromUtc(2027, 2, 28, 23, 0);

    public static readonly Actor Secretariat = Actor.Create("sec-1", [Role.Secretariat]);

    public static Actor MemberState(string country = "CH") => Actor.Create("ms-" + country, [Role.MemberState], country: country);

    public static GroupMeeting Meeting(int year = 2027, int month = 3, int day = 31) =>
        GroupMeeting.Schedule(new LocalDate(year, month, day), "Geneva, ITU headquarters", January10);

    public static Consultation Open(GroupMeeting? meeting = null, Actor? by = null) =>
        Consultation.Open(meeting ?? Meeting(), "International Internet connectivity", "Public policy considerations.",
            ["What are the barriers?"], "K7M2Q9", by ?? MemberState(), January10);

    /// <summary>A consultation closed at its deadline with these responses' published hashes in its log.</summary>
    public static Consultation Closed(params string[] sha256s)
    {
        var consultation = Open();
        consultation.Close(sha256s.Length, Wsis.Contracts.Verification.MerkleLog.Root([.. sha256s.Select(h => Wsis.Contracts.Verification.MerkleLog.LeafHash(Convert.FromHexString(h)))]), Deadline);
        return consultation;
    }

    public static DomainException Refused(DomainErrorKind kind, Action action)
    {
        var error = Assert.Throws<DomainException>(action);
        Assert.Equal(kind, error.Kind);
        return error;
    }
}
