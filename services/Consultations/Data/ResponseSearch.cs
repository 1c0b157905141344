using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Data;

/// <summary>
/// Full-text search over responses' texts, by the database's own engine (the index and table of the
/// <c>ResponseSearch</c> migration): PostgreSQL's <c>to_tsvector('simple', …)</c> with
/// <c>plainto_tsquery</c>, SQLite's FTS5. Every word must match; a reader's words are data, never query
/// syntax (FTS5 gets each as a quoted phrase). The result composes with the usual filters and paging.
/// </summary>
internal static partial class ResponseSearch
{
    public const int QueryMax = 200;

    public static IQueryable<Response> Matching(ConsultationsDbContext db, string query)
    {
        if (db.Database.IsNpgsql())
        {
            return db.Responses.FromSql($"""SELECT * FROM "Responses" WHERE to_tsvector('simple', "Text") @@ plainto_tsquery('simple', {query})""");
        }

        var match = string.Join(" ", Words(query).Select(w => "\"" + w.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
        return db.Responses.FromSql($"""SELECT * FROM "Responses" WHERE rowid IN (SELECT rowid FROM "ResponsesSearch" WHERE "ResponsesSearch" MATCH {match})""");
    }

    /// <summary>The words of a query: letters and digits, as both engines' tokenizers split them.</summary>
    public static IReadOnlyList<string> Words(string query) =>
        WordPattern().Matches(query).Select(m => m.Value).ToList();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();
}
