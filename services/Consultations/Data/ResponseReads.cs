using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Platform.Data;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Data;

/// <summary>
/// Reads of stored responses for lists and the results: without their bytes, in receipt order
/// (received at, then tracking number). The log orders them by leaf index, the order they entered it.
/// </summary>
internal static class ResponseReads
{
    /// <summary>The responses without their stored bytes (lists never carry raw messages or attachment contents).</summary>
    public static IQueryable<ResponseSummary> Summaries(this IQueryable<Response> query) =>
        query.Select(r => new ResponseSummary(
            r.Id, r.ConsultationId, r.TrackingNumber, r.Channel, r.ReceivedAt, r.Sha256, r.Text, r.Subject, r.RespondentName,
            r.RespondentOrganisation, r.RespondentCategory, r.RespondentCountryCode, r.RespondentEmail, r.Late, r.Published, r.Problems,
            r.Attachments.OrderBy(a => a.Index).Select(a => new AttachmentSummary(a.Index, a.FileName, a.MediaType, a.Size, a.Sha256)).ToList(),
            r.PublishedSha256, (long?)r.Leaf!.Index, r.Content.Length, r.EnvelopeRecipient, r.DkimResult, r.DkimDomain));

    public static IOrderedQueryable<Response> InReceiptOrder(this IQueryable<Response> query) =>
        query.OrderBy(r => r.ReceivedAt).ThenBy(r => r.TrackingNumber);

    /// <summary>
    /// A page in receipt order, or newest first (<paramref name="newestFirst"/>: the reverse order, as a
    /// feed reads them), and one more response (whether another page follows). A page continues after
    /// the previous page's last response, so the thousandth page of a rush reads what the first does;
    /// offset tokens issued before keep working. A position token continues the order it was issued in.
    /// </summary>
    public static async Task<List<ResponseSummary>> PageAsync(this IQueryable<Response> query, Paging page, bool newestFirst, CancellationToken cancellationToken)
    {
        if (page.After is not null)
        {
            var (at, tracking, descending) = Position(page.After);
            if (descending != newestFirst)
            {
                throw DomainException.InvalidArgument(newestFirst
                    ? "page_token continues the list in receipt order: send it without newest_first"
                    : "page_token continues the list newest first: send it with newest_first");
            }

            query = newestFirst
                ? query.Where(r => r.ReceivedAt <= at && (r.ReceivedAt < at || string.Compare(r.TrackingNumber, tracking) < 0))
                : query.Where(r => r.ReceivedAt >= at && (r.ReceivedAt > at || string.Compare(r.TrackingNumber, tracking) > 0));
        }

        var ordered = newestFirst ? query.OrderByDescending(r => r.ReceivedAt).ThenByDescending(r => r.TrackingNumber) : query.InReceiptOrder();
        return await ordered.Skip(page.Offset).Take(page.Size + 1).Summaries().ToListAsync(cancellationToken);
    }

    /// <summary>The page token of the page after <paramref name="last"/> (newest first: the one before it in receipt order).</summary>
    public static string After(ResponseSummary last, bool newestFirst = false) =>
        Paging.NextAfter(string.Create(CultureInfo.InvariantCulture, $"{(newestFirst ? "d" : "")}{last.ReceivedAt.ToUnixTimeTicks()}:{last.TrackingNumber}"));

    private static (Instant At, string Tracking, bool Descending) Position(string position)
    {
        var descending = position.StartsWith('d');
        var (at, tracking) = ReceiptPosition(descending ? position[1..] : position);
        return (at, tracking, descending);
    }

    private static (Instant At, string Tracking) ReceiptPosition(string position)
    {
        var colon = position.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && colon < position.Length - 1
            && long.TryParse(position.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= Instant.MaxValue.ToUnixTimeTicks())
        {
            return (Instant.FromUnixTimeTicks(ticks), position[(colon + 1)..]);
        }

        throw DomainException.InvalidArgument("page_token is not a token this service issued");
    }
}
