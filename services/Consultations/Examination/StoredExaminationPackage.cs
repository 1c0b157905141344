using NodaTime;

namespace Wsis.Consultations.Examination;

/// <summary>
/// A closed consultation's examination package as it was computed once, after the close, and kept
/// (table <c>ExaminationPackages</c>): every instance, and every instance after a restart, serves
/// these bytes instead of reading every response's text again. One row per consultation (its key),
/// written once by whichever instance stores it first and never changed (the DbContext refuses
/// updates and deletes).
/// </summary>
public sealed class StoredExaminationPackage
{
    private StoredExaminationPackage()
    {
        ResponsesDigest = "";
        Content = [];
    }

    public Guid ConsultationId { get; private set; }

    /// <summary>How many published responses the package covers: the size of the consultation's final checkpoint.</summary>
    public int Size { get; private set; }

    /// <summary>The consultation's responses digest (its log's root at the final checkpoint, hex) the package was computed for.</summary>
    public string ResponsesDigest { get; private set; }

    /// <summary>The version of <see cref="Content"/>'s layout (<see cref="StoredPackageFormat"/>).</summary>
    public int Format { get; private set; }

    /// <summary>The package (<see cref="StoredPackageFormat"/>).</summary>
    public byte[] Content { get; private set; }

    public Instant ComputedAt { get; private set; }

    /// <summary>How long the computation took, in milliseconds (what it would cost a reader without the store).</summary>
    public long ComputeMilliseconds { get; private set; }

    public static StoredExaminationPackage Of(Guid consultationId, string responsesDigest, Model.ExaminationPackage package, Instant computedAt, long computeMilliseconds) => new()
    {
        ConsultationId = consultationId,
        Size = package.Total,
        ResponsesDigest = responsesDigest,
        Format = StoredPackageFormat.Version,
        Content = StoredPackageFormat.Write(package),
        ComputedAt = computedAt,
        ComputeMilliseconds = computeMilliseconds,
    };
}
