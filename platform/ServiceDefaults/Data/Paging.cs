using System.Globalization;
using System.Text;
using Platform.Domain;

namespace Platform.Data;

/// <summary>
/// One page of a list method: where it starts and how long it is, read from the request's
/// <c>page_size</c> and <c>page_token</c>. Tokens are opaque to clients (base64url text): an offset
/// into the list (<c>o:N</c>), or, for long lists read in a stable order, the position after the
/// previous page's last item (<c>k:...</c>, the service's own key), so a deep page costs what the
/// first does. Every service pages this way.
/// </summary>
public readonly record struct Paging(int Offset, int Size, string? After)
{
    /// <summary>Items on a page when the request asks for none in particular.</summary>
    public const int DefaultSize = 50;

    /// <summary>The most items a page holds; a larger page_size is served at this size.</summary>
    public const int MaxSize = 500;

    private const string NotOurs = "page_token is not a token this service issued";

    /// <summary>The page a request asks for; INVALID_ARGUMENT for a negative size or a token of someone else's.</summary>
    public static Paging Read(int pageSize, string? pageToken)
    {
        if (pageSize < 0)
        {
            throw DomainException.InvalidArgument("page_size must not be negative");
        }

        var size = pageSize == 0 ? DefaultSize : Math.Min(pageSize, MaxSize);
        if (string.IsNullOrEmpty(pageToken))
        {
            return new Paging(0, size, null);
        }

        var text = Decode(pageToken);
        if (text is not null && text.StartsWith("o:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return new Paging(offset, size, null);
        }

        if (text is not null && text.StartsWith("k:", StringComparison.Ordinal) && text.Length > 2)
        {
            return new Paging(0, size, text[2..]);
        }

        throw DomainException.InvalidArgument(NotOurs);
    }

    /// <summary>A page read by offset only; a keyset token here is someone else's.</summary>
    public static Paging ReadOffset(int pageSize, string? pageToken)
    {
        var page = Read(pageSize, pageToken);
        return page.After is null ? page : throw DomainException.InvalidArgument(NotOurs);
    }

    /// <summary>The token of the page after this one when <paramref name="returned"/> items were served and more remain; empty at the end.</summary>
    public string NextAt(int returned, bool more) =>
        more ? Encode(string.Create(CultureInfo.InvariantCulture, $"o:{Offset + returned}")) : "";

    /// <summary>The token of the page after this one, for a list of <paramref name="total"/> items.</summary>
    public string NextAt(int returned, int total) => NextAt(returned, Offset + returned < total);

    /// <summary>The token of the page that starts after the item at <paramref name="position"/> (the service's own key text).</summary>
    public static string NextAfter(string position) => Encode("k:" + position);

    private static string Encode(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Decode(string token)
    {
        if (token.Length > 512)
        {
            return null;
        }

        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight((base64.Length + 3) / 4 * 4, '=')));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
