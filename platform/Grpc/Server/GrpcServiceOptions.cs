using Grpc.Core;
using System.IO.Compression;
using Grpc.Net.Compression;
using Grpc.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Grpc.AspNetCore.Server;

/// <summary>Server options, set through <c>services.AddGrpc(o => ...)</c>.</summary>
public class GrpcServiceOptions
{
    /// <summary>Largest request message accepted (after decompression); null means no limit. 4 MiB by default.</summary>
    public int? MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest response message sent; null means no limit. 4 MiB by default.</summary>
    public int? MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Compress responses with this algorithm when the client accepts it (e.g. "gzip"); null: do not.</summary>
    public string? ResponseCompressionAlgorithm { get; set; }

    public CompressionLevel? ResponseCompressionLevel { get; set; }

    /// <summary>The algorithms the server can decode and encode (gzip and deflate by default).</summary>
    public IList<ICompressionProvider> CompressionProviders { get; set; } = GrpcProtocol.DefaultCompressionProviders();

    /// <summary>Put handler exception messages into the status sent to clients. Off by default: never in production.</summary>
    public bool? EnableDetailedErrors { get; set; }

    /// <summary>Do not answer requests for unknown services/methods with UNIMPLEMENTED (leave them to other endpoints).</summary>
    public bool? IgnoreUnknownServices { get; set; }

    /// <summary>
    /// Turns a handler exception that is not an <see cref="RpcException"/> into a status (e.g. a lost
    /// database connection into UNAVAILABLE, which clients retry); null keeps the default, UNKNOWN
    /// without internals. The status detail goes to the client: never put the exception's message in it.
    /// Not called when the client has left (stream reset, connection closed): there is no one to answer.
    /// </summary>
    public Func<Exception, Status?>? MapException { get; set; }
}

/// <summary>Returned by <c>AddGrpc</c> for further configuration.</summary>
public interface IGrpcServerBuilder
{
    IServiceCollection Services { get; }
}

internal sealed class GrpcServerBuilder(IServiceCollection services) : IGrpcServerBuilder
{
    public IServiceCollection Services { get; } = services;
}
