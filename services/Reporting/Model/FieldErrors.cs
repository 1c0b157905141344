namespace Wsis.Reporting.Model;

/// <summary>
/// The invalid fields of one request, gathered so that a single INVALID_ARGUMENT names every one of
/// them ("entries[0].url must be …; entries[1].title is required …") and a partner fixes them all in
/// one round. Each text starts with the field's API name.
/// </summary>
internal sealed class FieldErrors
{
    private readonly List<string> _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(string field, string problem) => _errors.Add($"{field} {problem}");

    public void ThrowIfAny()
    {
        if (_errors.Count > 0) throw DomainException.InvalidArgument(string.Join("; ", _errors));
    }

    /// <summary>Echoing the caller's value helps them find it; capped so an error never carries a payload.</summary>
    public static string Shorten(string value) => value.Length <= 16 ? value : value[..16] + "…";
}
