using Grpc.Core;

namespace Grpc.AspNetCore.Server;

/// <summary>Endpoint metadata of a gRPC method endpoint: the service type and the method.</summary>
public sealed class GrpcMethodMetadata(Type serviceType, IMethod method)
{
    public Type ServiceType { get; } = serviceType;
    public IMethod Method { get; } = method;
}

/// <summary>Project-specific helpers for handlers (not part of grpc-dotnet).</summary>
public static class GrpcServerCallContextExtensions
{
    /// <summary>Whether the last request message read on this call had its compressed flag set.</summary>
    public static bool IsLastRequestMessageCompressed(this Grpc.Core.ServerCallContext context) =>
        context is Internal.HttpServerCallContext http && http.LastMessageCompressed;
}
