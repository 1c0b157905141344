using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Platform.Data;
using Platform.Security;
using Wsis.Teams.Model;

namespace Wsis.Teams.Grpc;

/// <summary>What every Teams gRPC method shares: who calls, idempotency keys, timestamps, paging.</summary>
internal static class Rpc
{
    public static Actor ActorOf(Caller caller) =>
        Actor.Create(caller.Subject ?? "", caller.Roles, Guid.TryParse(caller.Org, out var org) ? org : null);

    /// <summary>An authenticated caller as a domain actor; UNAUTHENTICATED otherwise.</summary>
    public static Actor Authenticated(ServerCallContext context) => ActorOf(context.GetCaller().RequireAuthenticated());

    public static IdempotencyKey? KeyFor(string requestId, string operation, ServerCallContext context)
    {
        try
        {
            return IdempotencyKey.For(requestId, operation, context.GetCaller());
        }
        catch (ArgumentException)
        {
            throw DomainException.InvalidArgument($"request_id is longer than {IdempotencyRecord.KeyMaxLength} characters");
        }
    }

    public static DateTimeOffset Instant(Google.Protobuf.WellKnownTypes.Timestamp? timestamp, string field)
    {
        if (timestamp is null) return default;
        try
        {
            return timestamp.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw DomainException.InvalidArgument($"{field} is not a valid timestamp");
        }
    }
}

/// <summary>Offset paging with an opaque token: lists here are small registers, ordered stably by id.</summary>
internal readonly record struct Page(int Offset, int Size)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 200;

    public static Page Read(int pageSize, string? pageToken)
    {
        if (pageSize < 0)
            throw DomainException.InvalidArgument("page_size must not be negative");
        var size = pageSize == 0 ? DefaultSize : Math.Min(pageSize, MaxSize);
        if (string.IsNullOrEmpty(pageToken)) return new Page(0, size);
        try
        {
            var text = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(pageToken));
            if (text.StartsWith("o:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(2), out var offset) && offset >= 0)
                return new Page(offset, size);
        }
        catch (FormatException)
        {
        }
        throw DomainException.InvalidArgument("page_token is not a token this service issued");
    }

    /// <summary>The token of the next page, or empty when <paramref name="returned"/> items ended the list.</summary>
    public string Next(int returned, int total) =>
        Offset + returned >= total ? "" : Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"o:{Offset + returned}"));
}
