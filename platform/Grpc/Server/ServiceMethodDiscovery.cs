using System.Reflection;
using Grpc.Core;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>One method found on a service, ready to become an endpoint.</summary>
internal sealed record DiscoveredMethod<TService>(IMethod Method, MethodInfo? Implementation,
    Func<ServerMethodRuntime, ServiceActivator<TService>, ServerCallHandler<TService>> CreateHandler) where TService : class;

/// <summary>
/// Finds a service's methods the way grpc-dotnet does: the generated base carries
/// [BindServiceMethod]; its static BindService(ServiceBinderBase, TBase) is called with a null
/// instance and reports each method; the handler is the (overridden) instance method of the same
/// name, called on a per-call service instance through an open delegate.
/// </summary>
internal sealed class ServiceMethodDiscovery<TService> : ServiceBinderBase where TService : class
{
    private const BindingFlags InstanceMethods = BindingFlags.Public | BindingFlags.Instance;

    public List<DiscoveredMethod<TService>> Methods { get; } = [];

    public static List<DiscoveredMethod<TService>> Discover()
    {
        var attribute = FindBindAttribute(typeof(TService), out var baseType)
            ?? throw new InvalidOperationException(
                $"{typeof(TService).Name} has no [BindServiceMethod] base: derive it from the generated <Service>.<Service>Base class.");
        var bindMethod = attribute.BindType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == attribute.BindMethodName && m.GetParameters() is { Length: 2 } p
                && p[0].ParameterType == typeof(ServiceBinderBase) && p[1].ParameterType.IsAssignableFrom(baseType))
            ?? throw new InvalidOperationException($"{attribute.BindType.Name}.{attribute.BindMethodName}(ServiceBinderBase, {baseType.Name}) was not found.");
        var discovery = new ServiceMethodDiscovery<TService>();
        bindMethod.Invoke(null, [discovery, null]);
        return discovery.Methods;
    }

    private static BindServiceMethodAttribute? FindBindAttribute(Type type, out Type baseType)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute)
            {
                baseType = t;
                return attribute;
            }
        }
        baseType = type;
        return null;
    }

    private static TDelegate Bind<TDelegate>(string name, Type[] parameters, out MethodInfo implementation) where TDelegate : Delegate
    {
        implementation = typeof(TService).GetMethod(name, InstanceMethods, parameters)
            ?? throw new InvalidOperationException($"{typeof(TService).Name} has no method {name}.");
        return (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), implementation);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = Bind<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)], out var info);
        Methods.Add(new(method, info, (r, a) => new UnaryCallHandler<TService, TRequest, TResponse>(r, a, method, invoker)));
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = Bind<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)], out var info);
        Methods.Add(new(method, info, (r, a) => new ClientStreamingCallHandler<TService, TRequest, TResponse>(r, a, method, invoker)));
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = Bind<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)], out var info);
        Methods.Add(new(method, info, (r, a) => new ServerStreamingCallHandler<TService, TRequest, TResponse>(r, a, method, invoker)));
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var invoker = Bind<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)], out var info);
        Methods.Add(new(method, info, (r, a) => new DuplexStreamingCallHandler<TService, TRequest, TResponse>(r, a, method, invoker)));
    }
}
