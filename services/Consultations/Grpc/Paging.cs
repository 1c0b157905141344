using System.Globalization;
using System.Text;

namespace Wsis.Consultations.Grpc;

/// <summary>Page tokens are opaque to clients: base64url text, an offset ("o:N") for short lists,
/// or for responses the position after the page's last one ("r:ticks:tracking number"), so a
/// deep page costs what the first does. Page sizes: 0 → default; above the maximum → the maximum.</summary>
internal static class Paging
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    public static (int Offset, int Size) Read(int pageSize, string pageToken)
    {
        var (offset, after, size) = ReadResponses(pageSize, pageToken);
        if (after is not null)
        {
            throw RpcErrors.Invalid("page_token is not a token this service issued");
        }

        return (offset, size);
    }

    /// <summary>A page of responses: where it starts (an offset from an older token, or after a
    /// response in receipt order) and its size.</summary>
    public static (int Offset, ResponsePosition? After, int Size) ReadResponses(int pageSize, string pageToken)
    {
        if (pageSize < 0)
        {
            throw RpcErrors.Invalid("page_size must not be negative");
        }

        var size = pageSize == 0 ? DefaultSize : Math.Min(pageSize, MaxSize);
        if (string.IsNullOrEmpty(pageToken))
        {
            return (0, null, size);
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(pageToken.Replace('-', '+').Replace('_', '/').PadRight((pageToken.Length + 3) / 4 * 4, '=')));
            if (text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return (offset, null, size);
            }

            var colon = text.IndexOf(':', 2);
            if (text.StartsWith("r:", StringComparison.Ordinal) && colon > 2 && colon < text.Length - 1
                && long.TryParse(text.AsSpan(2, colon - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return (0, new ResponsePosition(ticks, text[(colon + 1)..]), size);
            }
        }
        catch (FormatException)
        {
        }

        throw RpcErrors.Invalid("page_token is not a token this service issued");
    }

    public static string Next(int offset, int taken, bool more) =>
        more ? Token($"o:{offset + taken}") : "";

    /// <summary>The token of the page that follows the response at <paramref name="last"/>.</summary>
    public static string After(ResponsePosition last) =>
        Token(string.Create(CultureInfo.InvariantCulture, $"r:{last.ReceivedAtTicks}:{last.TrackingNumber}"));

    private static string Token(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A response's place in receipt order: received at (the stored ticks), then tracking number (unique).</summary>
internal sealed record ResponsePosition(long ReceivedAtTicks, string TrackingNumber);
