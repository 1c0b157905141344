using System.IO.Compression;
using Grpc.Net.Compression;
using Grpc.Shared;
using Microsoft.Extensions.Logging;

namespace Grpc.Net.Client;

/// <summary>Options of a <see cref="GrpcChannel"/> (a subset of grpc-dotnet's, same names).</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>The handler that sends requests; a <see cref="SocketsHttpHandler"/> is made when neither this nor <see cref="HttpClient"/> is set.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>A client to send requests with (its Timeout applies to whole calls, streams included).</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Dispose <see cref="HttpHandler"/> / <see cref="HttpClient"/> with the channel.</summary>
    public bool DisposeHttpClient { get; set; }

    /// <summary>Largest response message accepted; null means no limit. 4 MiB by default.</summary>
    public int? MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest request message sent; null (the default) means no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Algorithms to decode responses with and (per call) compress requests with; gzip and deflate by default.</summary>
    public IList<ICompressionProvider> CompressionProviders { get; set; } = GrpcProtocol.DefaultCompressionProviders();

    public CompressionLevel? RequestCompressionLevel { get; set; }

    /// <summary>Open more HTTP/2 connections when one reaches the server's stream limit (only for the handler the channel makes).</summary>
    public bool EnableMultipleHttp2Connections { get; set; }

    /// <summary>
    /// Attempts in all for a call that failed with UNAVAILABLE before the request left the client
    /// (connection refused or lost before sending). Unary and server-streaming calls only. 3 by default; 1 disables retries.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First back-off between such attempts; doubled each time, with jitter. 50 ms by default.</summary>
    public TimeSpan InitialRetryBackoff { get; set; } = TimeSpan.FromMilliseconds(50);

    public ILoggerFactory? LoggerFactory { get; set; }
}
