using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>
/// Creates the service instance of a call: the one registered in DI if any (its lifetime is
/// the container's), otherwise a new instance per call, disposed after it (as grpc-dotnet does).
/// A service with no constructor dependencies is made without touching the request's service
/// scope, which would otherwise be created for every call.
/// </summary>
internal sealed class ServiceActivator<TService> where TService : class
{
    private readonly ObjectFactory<TService> _factory = ActivatorUtilities.CreateFactory<TService>([]);
    private readonly bool _registered;
    private readonly IServiceProvider? _rootForParameterless;

    public ServiceActivator(IServiceProvider root)
    {
        _registered = root.GetService<IServiceProviderIsService>()?.IsService(typeof(TService)) ?? true;
        var constructors = typeof(TService).GetConstructors();
        if (!_registered && constructors.Length == 1 && constructors[0].GetParameters().Length == 0)
        {
            _rootForParameterless = root;
        }
    }

    public TService Create(HttpContext httpContext, out bool created)
    {
        if (_rootForParameterless is not null)
        {
            created = true;
            return _factory(_rootForParameterless, null);
        }
        var services = httpContext.RequestServices;
        var service = _registered ? services.GetService<TService>() : null;
        created = service is null;
        return service ?? _factory(services, null);
    }

    public static ValueTask ReleaseAsync(TService service, bool created)
    {
        if (!created) return default;
        if (service is IAsyncDisposable asyncDisposable) return asyncDisposable.DisposeAsync();
        (service as IDisposable)?.Dispose();
        return default;
    }
}

/// <summary>Runs calls of one method: set-up, the handler, then the status.</summary>
internal abstract class ServerCallHandler<TService>(ServerMethodRuntime runtime, ServiceActivator<TService> activator) where TService : class
{
    protected ServerMethodRuntime Runtime { get; } = runtime;

    public async Task HandleCallAsync(HttpContext httpContext)
    {
        var call = new HttpServerCallContext(httpContext, Runtime);
        try
        {
            if (!call.TryStart()) return;
            TService? service = null;
            var created = false;
            try
            {
                service = activator.Create(httpContext, out created);
                await InvokeAsync(call, service).ConfigureAwait(false);
                call.Complete();
            }
            catch (Exception ex)
            {
                if (call.ClientLeft(ex))
                {
                    // Whatever was thrown, it follows from the client going away, and no status can
                    // reach it (Kestrel drops what is written to an aborted stream): nothing to map
                    // or answer.
                    ServerLog.ClientLeft(Runtime.Logger, Runtime.Method.FullName, ex.GetType().Name);
                    return;
                }
                if (ex is not RpcException && Runtime.MapException?.Invoke(ex) is { } mapped)
                {
                    ServerLog.HandlerFailed(Runtime.Logger, Runtime.Method.FullName, ex.GetType().Name);
                    call.Fail(new RpcException(mapped), Runtime.DetailedErrors, out _);
                    return;
                }

                call.Fail(ex, Runtime.DetailedErrors, out var handlerFault);
                if (handlerFault)
                {
                    ServerLog.HandlerFailed(Runtime.Logger, Runtime.Method.FullName, ex.GetType().Name);
                }
                else if (ex is RpcException rpc)
                {
                    ServerLog.CallEndedWithStatus(Runtime.Logger, Runtime.Method.FullName, rpc.StatusCode);
                }
            }
            finally
            {
                if (service is not null)
                {
                    await ServiceActivator<TService>.ReleaseAsync(service, created).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            call.Dispose();
        }
    }

    protected abstract Task InvokeAsync(HttpServerCallContext call, TService service);
}

internal sealed class UnaryCallHandler<TService, TRequest, TResponse>(
    ServerMethodRuntime runtime, ServiceActivator<TService> activator, Method<TRequest, TResponse> method,
    Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker)
    : ServerCallHandler<TService>(runtime, activator)
    where TService : class where TRequest : class where TResponse : class
{
    protected override async Task InvokeAsync(HttpServerCallContext call, TService service)
    {
        var request = await call.ReadSingleMessageAsync(method.RequestMarshaller.ContextualDeserializer).ConfigureAwait(false);
        var response = await invoker(service, request, call).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The handler returned a null response.");
        // Not flushed: Kestrel sends the message with the trailers when the request ends.
        // A status set on the context ends the call without the message (as grpc-dotnet does).
        if (call.Status.StatusCode != StatusCode.OK) return;
        await call.WriteMessageAsync(response, method.ResponseMarshaller.ContextualSerializer, null, flush: false).ConfigureAwait(false);
    }
}

internal sealed class ServerStreamingCallHandler<TService, TRequest, TResponse>(
    ServerMethodRuntime runtime, ServiceActivator<TService> activator, Method<TRequest, TResponse> method,
    Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
    : ServerCallHandler<TService>(runtime, activator)
    where TService : class where TRequest : class where TResponse : class
{
    protected override async Task InvokeAsync(HttpServerCallContext call, TService service)
    {
        var request = await call.ReadSingleMessageAsync(method.RequestMarshaller.ContextualDeserializer).ConfigureAwait(false);
        var writer = new HttpServerStreamWriter<TResponse>(call, method.ResponseMarshaller.ContextualSerializer);
        await invoker(service, request, writer, call).ConfigureAwait(false);
    }
}

internal sealed class ClientStreamingCallHandler<TService, TRequest, TResponse>(
    ServerMethodRuntime runtime, ServiceActivator<TService> activator, Method<TRequest, TResponse> method,
    Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker)
    : ServerCallHandler<TService>(runtime, activator)
    where TService : class where TRequest : class where TResponse : class
{
    protected override async Task InvokeAsync(HttpServerCallContext call, TService service)
    {
        var reader = new HttpServerStreamReader<TRequest>(call, method.RequestMarshaller.ContextualDeserializer);
        var response = await invoker(service, reader, call).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The handler returned a null response.");
        // A status set on the context ends the call without the message (as grpc-dotnet does).
        if (call.Status.StatusCode != StatusCode.OK) return;
        await call.WriteMessageAsync(response, method.ResponseMarshaller.ContextualSerializer, null, flush: false).ConfigureAwait(false);
    }
}

internal sealed class DuplexStreamingCallHandler<TService, TRequest, TResponse>(
    ServerMethodRuntime runtime, ServiceActivator<TService> activator, Method<TRequest, TResponse> method,
    Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker)
    : ServerCallHandler<TService>(runtime, activator)
    where TService : class where TRequest : class where TResponse : class
{
    protected override Task InvokeAsync(HttpServerCallContext call, TService service)
    {
        var reader = new HttpServerStreamReader<TRequest>(call, method.RequestMarshaller.ContextualDeserializer);
        var writer = new HttpServerStreamWriter<TResponse>(call, method.ResponseMarshaller.ContextualSerializer);
        return invoker(service, reader, writer, call);
    }
}
