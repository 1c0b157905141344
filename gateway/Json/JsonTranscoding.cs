using Google.Protobuf;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Json;

public sealed class JsonTranscodingOptions
{
    public const string SectionName = "Gateway:Json";

    /// <summary>Largest JSON request body accepted (413 beyond).</summary>
    public int MaxRequestBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Largest protobuf response accepted from a service for one JSON call.</summary>
    public int MaxResponseBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary><c>POST /api/{package.Service}/{Method}</c>: the JSON body becomes the protobuf request
/// (proto3 JSON mapping), goes to the route's cluster as a unary gRPC call with the caller's
/// bearer token, and the answer comes back as JSON; a gRPC error becomes an RFC 7807 problem.</summary>
public static partial class JsonTranscoding
{
    public const string RoutePattern = "/api/{service}/{method}";

    public static IEndpointConventionBuilder MapJsonTranscoding(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(RoutePattern, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(string service, string method, HttpContext context, ProtoCatalog catalog,
        ProxyConfiguration proxy, RequestForwarder forwarder, IOptions<JsonTranscodingOptions> options, ILoggerFactory loggers)
    {
        var descriptor = catalog.FindMethod(service, method);
        if (descriptor is null)
        {
            return Problem(StatusCodes.Status404NotFound, "NOT_FOUND", $"no method '{method}' in service '{service}'", GrpcProtocol.Unimplemented);
        }
        if (descriptor.IsClientStreaming || descriptor.IsServerStreaming)
        {
            return Problem(StatusCodes.Status400BadRequest, "UNIMPLEMENTED", $"'{service}/{method}' is a streaming method; call it over gRPC", GrpcProtocol.Unimplemented);
        }

        var limit = options.Value.MaxRequestBytes;
        if (context.Request.ContentLength > limit)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "RESOURCE_EXHAUSTED", $"request body larger than {limit} bytes", GrpcProtocol.ResourceExhausted);
        }
        string json;
        using (var reader = new StreamReader(context.Request.Body))
        {
            var buffer = new char[limit + 1];
            var read = await reader.ReadBlockAsync(buffer.AsMemory(), context.RequestAborted);
            if (read > limit)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, "RESOURCE_EXHAUSTED", $"request body larger than {limit} bytes", GrpcProtocol.ResourceExhausted);
            }
            json = new string(buffer, 0, read);
        }

        IMessage request;
        try
        {
            request = string.IsNullOrWhiteSpace(json)
                ? descriptor.InputType.Parser.ParseFrom(ByteString.Empty)
                : catalog.Parser.Parse(json, descriptor.InputType);
        }
        catch (Exception e) when (e is InvalidJsonException or InvalidProtocolBufferException or FormatException)
        {
            // The parser's message names the field or token that is wrong, never the value's owner.
            return Problem(StatusCodes.Status400BadRequest, "INVALID_ARGUMENT", $"request body is not a valid {descriptor.InputType.FullName}: {e.Message}", GrpcProtocol.InvalidArgument);
        }

        var path = $"/{descriptor.Service.FullName}/{descriptor.Name}";
        var snapshot = proxy.Current;
        var route = snapshot.Match(HttpMethods.Post, path);
        if (route is null)
        {
            return Problem(StatusCodes.Status404NotFound, "NOT_FOUND", $"no route serves '{descriptor.Service.FullName}'", GrpcProtocol.Unimplemented);
        }

        var result = await forwarder.CallUnaryAsync(context, route, snapshot.Clusters[route.ClusterId], path, request.ToByteArray(), options.Value.MaxResponseBytes);
        if (result.Status != GrpcProtocol.Ok)
        {
            LogCallFailed(loggers.CreateLogger(typeof(JsonTranscoding)), path, result.Status);
            return Problem(HttpStatusFor(result.Status), StatusName(result.Status), result.Message, result.Status);
        }
        IMessage response;
        try
        {
            response = descriptor.OutputType.Parser.ParseFrom(result.Payload!);
        }
        catch (InvalidProtocolBufferException)
        {
            return Problem(StatusCodes.Status502BadGateway, "INTERNAL", $"the service's answer is not a valid {descriptor.OutputType.FullName}", GrpcProtocol.Internal);
        }
        return Results.Text(catalog.Formatter.Format(response), "application/json", System.Text.Encoding.UTF8);
    }

    /// <summary>The mapping Google's HTTP/JSON transcoding uses (google/rpc/code.proto).</summary>
    public static int HttpStatusFor(int grpcStatus) => grpcStatus switch
    {
        GrpcProtocol.Ok => 200,
        GrpcProtocol.Cancelled => 499,
        GrpcProtocol.InvalidArgument => 400,
        GrpcProtocol.DeadlineExceeded => 504,
        GrpcProtocol.NotFound => 404,
        GrpcProtocol.AlreadyExists => 409,
        GrpcProtocol.PermissionDenied => 403,
        GrpcProtocol.ResourceExhausted => 429,
        GrpcProtocol.FailedPrecondition => 400,
        GrpcProtocol.Aborted => 409,
        GrpcProtocol.OutOfRange => 400,
        GrpcProtocol.Unimplemented => 501,
        GrpcProtocol.Unavailable => 503,
        GrpcProtocol.Unauthenticated => 401,
        _ => 500,
    };

    public static string StatusName(int grpcStatus) => grpcStatus switch
    {
        0 => "OK", 1 => "CANCELLED", 2 => "UNKNOWN", 3 => "INVALID_ARGUMENT", 4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND", 6 => "ALREADY_EXISTS", 7 => "PERMISSION_DENIED", 8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION", 10 => "ABORTED", 11 => "OUT_OF_RANGE", 12 => "UNIMPLEMENTED",
        13 => "INTERNAL", 14 => "UNAVAILABLE", 15 => "DATA_LOSS", 16 => "UNAUTHENTICATED",
        _ => "UNKNOWN",
    };

    public static IResult Problem(int httpStatus, string title, string detail, int grpcStatus) =>
        Results.Problem(new ProblemDetails
        {
            Type = "https://grpc.io/docs/guides/status-codes/",
            Title = title,
            Status = httpStatus,
            Detail = detail,
            Extensions = { ["grpcStatus"] = grpcStatus },
        });

    [LoggerMessage(Level = LogLevel.Information, Message = "JSON call {Path} ended with gRPC status {Status}")]
    private static partial void LogCallFailed(ILogger logger, string path, int status);
}
