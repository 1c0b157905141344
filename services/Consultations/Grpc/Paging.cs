using System.Globalization;
using System.Text;

namespace Wsis.Consultations.Grpc;

/// <summary>Page tokens are opaque to clients: a base64url offset. Page sizes: 0 → default; above the maximum → the maximum.</summary>
internal static class Paging
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    public static (int Offset, int Size) Read(int pageSize, string pageToken)
    {
        if (pageSize < 0)
        {
            throw RpcErrors.Invalid("page_size must not be negative");
        }

        var size = pageSize == 0 ? DefaultSize : Math.Min(pageSize, MaxSize);
        if (string.IsNullOrEmpty(pageToken))
        {
            return (0, size);
        }

        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(pageToken.Replace('-', '+').Replace('_', '/').PadRight((pageToken.Length + 3) / 4 * 4, '=')));
            if (text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return (offset, size);
            }
        }
        catch (FormatException)
        {
        }

        throw RpcErrors.Invalid("page_token is not a token this service issued");
    }

    public static string Next(int offset, int taken, bool more) =>
        more ? Convert.ToBase64String(Encoding.ASCII.GetBytes($"o:{offset + taken}")).TrimEnd('=').Replace('+', '-').Replace('/', '_') : "";
}
