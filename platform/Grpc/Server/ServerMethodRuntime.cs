using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;
using Grpc.Shared;
using Microsoft.Extensions.Logging;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>What every call of one method shares: the method, resolved options, shutdown signal, logger.</summary>
internal sealed class ServerMethodRuntime
{
    public ServerMethodRuntime(IMethod method, GrpcServiceOptions options, CancellationToken shutdownToken, ILogger logger)
    {
        Method = method;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize ?? int.MaxValue;
        MaxSendMessageSize = options.MaxSendMessageSize ?? int.MaxValue;
        CompressionProviders = options.CompressionProviders.ToArray();
        AcceptEncoding = GrpcProtocol.AcceptEncodingValue(CompressionProviders);
        if (options.ResponseCompressionAlgorithm is { } algorithm)
        {
            ResponseCompression = GrpcProtocol.FindProvider(CompressionProviders, algorithm)
                ?? throw new InvalidOperationException($"ResponseCompressionAlgorithm '{algorithm}' has no compression provider.");
        }
        ResponseCompressionLevel = options.ResponseCompressionLevel;
        DetailedErrors = options.EnableDetailedErrors ?? false;
        MapException = options.MapException;
        ShutdownToken = shutdownToken;
        Logger = logger;
    }

    public IMethod Method { get; }
    public int MaxReceiveMessageSize { get; }
    public int MaxSendMessageSize { get; }
    public IList<ICompressionProvider> CompressionProviders { get; }
    public string AcceptEncoding { get; }
    public ICompressionProvider? ResponseCompression { get; }
    public CompressionLevel? ResponseCompressionLevel { get; }
    public bool DetailedErrors { get; }
    public Func<Exception, Grpc.Core.Status?>? MapException { get; }
    public CancellationToken ShutdownToken { get; }
    public ILogger Logger { get; }
}

internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Error, "gRPC method {Method} failed with an unhandled {ExceptionType}; the client got UNKNOWN.")]
    public static partial void HandlerFailed(ILogger logger, string method, string exceptionType);

    [LoggerMessage(2, LogLevel.Debug, "gRPC method {Method} ended with {StatusCode}.")]
    public static partial void CallEndedWithStatus(ILogger logger, string method, StatusCode statusCode);

    [LoggerMessage(3, LogLevel.Debug, "gRPC call to unknown {Path} answered UNIMPLEMENTED.")]
    public static partial void Unimplemented(ILogger logger, string path);

    // Debug, not Error: a client that reset its stream or dropped the connection (a gateway
    // giving up on a probe, a user closing the page) is no fault of the server.
    [LoggerMessage(4, LogLevel.Debug, "gRPC call {Method} ended: the client left ({ExceptionType}).")]
    public static partial void ClientLeft(ILogger logger, string method, string exceptionType);
}
