using NodaTime;

namespace Wsis.Consultations.Examination;

/// <summary>
/// The last package computed of a large open consultation (table <c>LiveExaminationPackages</c>,
/// one row per consultation, replaced by each instance's refresher with a package over more responses):
/// what an instance that starts, or restarts, serves at once instead of making its first readers wait
/// for its first computation. Not a record of anything: the published responses are.
/// </summary>
public sealed class LiveExaminationPackage
{
    private LiveExaminationPackage()
    {
        Content = [];
    }

    public Guid ConsultationId { get; private set; }

    /// <summary>How many published responses the package covers.</summary>
    public int Size { get; private set; }

    /// <summary>The version of <see cref="Content"/>'s layout (<see cref="StoredPackageFormat"/>).</summary>
    public int Format { get; private set; }

    public byte[] Content { get; private set; }

    public Instant ComputedAt { get; private set; }

    public static LiveExaminationPackage Of(Guid consultationId, Model.ExaminationPackage package, Instant computedAt)
    {
        var row = new LiveExaminationPackage { ConsultationId = consultationId };
        row.Replace(package, computedAt);
        return row;
    }

    /// <summary>Replaced by a package over more responses (or as many, computed later); false when it covers fewer.</summary>
    public bool Replace(Model.ExaminationPackage package, Instant computedAt)
    {
        if (package.Total < Size)
        {
            return false;
        }

        Size = package.Total;
        Format = StoredPackageFormat.Version;
        Content = StoredPackageFormat.Write(package);
        ComputedAt = computedAt;
        return true;
    }
}
