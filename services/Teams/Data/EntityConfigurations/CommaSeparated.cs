using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Wsis.Teams.Data.EntityConfigurations;

/// <summary>
/// Short lists stored as comma-separated text: one column type every provider has, and lists that are
/// only ever read and written whole (a ballot's candidates, the elected vice-chairs, required fields).
/// </summary>
internal static class CommaSeparated
{
    /// <summary>A list of ids (at most about a hundred: 36 characters and a comma each).</summary>
    public static void Ids(PropertyBuilder<List<Guid>> property) =>
        property.HasMaxLength(4000).HasConversion(
            v => string.Join(',', v),
            s => s.Length == 0 ? new List<Guid>() : s.Split(',', StringSplitOptions.None).Select(Guid.Parse).ToList(),
            new ValueComparer<List<Guid>>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, g) => HashCode.Combine(h, g.GetHashCode())), v => v.ToList()));

    /// <summary>A list of field names, which never contain a comma.</summary>
    public static void Names(PropertyBuilder<List<string>> property) =>
        property.HasMaxLength(1000).HasConversion(
            v => string.Join(',', v),
            s => s.Length == 0 ? new List<string>() : s.Split(',', StringSplitOptions.None).ToList(),
            new ValueComparer<List<string>>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s.GetHashCode())), v => v.ToList()));
}
