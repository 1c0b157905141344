using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Wsis.Reporting.Data.EntityConfigurations;

/// <summary>Lists stored as JSON text: one column type on every provider.</summary>
internal static class JsonColumns
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static ValueConverter<IReadOnlyList<T>, string> List<T>() =>
        new(v => JsonSerializer.Serialize(v, Options), s => JsonSerializer.Deserialize<List<T>>(s, Options) ?? new List<T>());

    public static ValueComparer<IReadOnlyList<T>> ListComparer<T>() =>
        new((a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
            v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
            v => JsonSerializer.Deserialize<List<T>>(JsonSerializer.Serialize(v, Options), Options) ?? new List<T>());
}
