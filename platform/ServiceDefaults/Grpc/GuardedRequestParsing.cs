using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.ServiceDefaults;

/// <summary>
/// Binds every gRPC service the way grpc-dotnet's own method provider does (the generated
/// <c>BindService</c>, the overriding methods, their attributes as endpoint metadata, POST only),
/// with one difference: a request body that is not a valid protobuf message is answered
/// <c>INVALID_ARGUMENT</c> naming the message type and protobuf's reason ("the request is not a
/// valid teams.v1.CreateTeamRequest: Protocol message contained an invalid tag (zero)."), where
/// grpc-dotnet answers <c>UNKNOWN</c> "Exception was thrown by handler." It replaces the stock
/// provider through grpc-dotnet's <see cref="IServiceMethodProvider{TService}"/> extension point.
/// </summary>
internal sealed class GuardedServiceMethodProvider<TService> : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var bindAttribute = typeof(TService).GetCustomAttributes<BindServiceMethodAttribute>(inherit: true).FirstOrDefault();
        if (bindAttribute is null)
        {
            return;
        }

        var bindMethod = bindAttribute.BindType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == bindAttribute.BindMethodName && m.GetParameters() is [var binder, _] && binder.ParameterType == typeof(ServiceBinderBase))
            ?? throw new InvalidOperationException($"{bindAttribute.BindType} has no {bindAttribute.BindMethodName}(ServiceBinderBase, service) method.");
        var implemented = bindMethod.GetParameters()[1].ParameterType;
        bindMethod.Invoke(null, [new Binder(context, implemented), null]);
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, Type generatedBase) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Bind<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext));
            context.AddUnaryMethod(Guarded(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Bind<ServerStreamingServerMethod<TService, TRequest, TResponse>>(
                method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            context.AddServerStreamingMethod(Guarded(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Bind<ClientStreamingServerMethod<TService, TRequest, TResponse>>(
                method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
            context.AddClientStreamingMethod(Guarded(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Bind<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(
                method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            context.AddDuplexStreamingMethod(Guarded(method), metadata, invoker);
        }

        private (TDelegate Invoker, List<object> Metadata) Bind<TDelegate>(string name, params Type[] parameters)
            where TDelegate : Delegate
        {
            var target = Overriding(name, parameters)
                ?? throw new InvalidOperationException($"{typeof(TService)} has no method {name} overriding {generatedBase}.");
            var metadata = new List<object>();
            // The class's attributes first, the method's after, so the method's win (as grpc-dotnet orders them).
            metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(target.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), target), metadata);
        }

        /// <summary>The public instance method of that signature that overrides the generated base's, or the base's own.</summary>
        private MethodInfo? Overriding(string name, Type[] parameters)
        {
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                var candidate = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, null, parameters, null);
                if (candidate is { IsVirtual: true } && candidate.GetBaseDefinition().DeclaringType == generatedBase)
                {
                    return candidate;
                }
            }

            return null;
        }

        private static Method<TRequest, TResponse> Guarded<TRequest, TResponse>(Method<TRequest, TResponse> method)
            where TRequest : class
            where TResponse : class
        {
            var inner = method.RequestMarshaller;
            var messageName = typeof(IMessage).IsAssignableFrom(typeof(TRequest))
                && typeof(TRequest).GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is Google.Protobuf.Reflection.MessageDescriptor descriptor
                    ? descriptor.FullName
                    : typeof(TRequest).Name;
            var guarded = Marshallers.Create<TRequest>(
                (message, serialization) => inner.ContextualSerializer(message, serialization),
                deserialization =>
                {
                    try
                    {
                        return inner.ContextualDeserializer(deserialization);
                    }
                    catch (InvalidProtocolBufferException e)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {messageName}: {e.Message}"));
                    }
                });
            return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, guarded, method.ResponseMarshaller);
        }
    }
}

internal static class GuardedRequestParsing
{
    /// <summary>
    /// Puts <see cref="GuardedServiceMethodProvider{TService}"/> in place of grpc-dotnet's binder provider.
    /// Every <c>AddGrpc()</c> adds the stock provider again, so <see cref="GrpcDefaults.AddGrpcDefaults{TBuilder}"/>
    /// calls this after each of its own.
    /// </summary>
    public static void Use(IServiceCollection services)
    {
        services.RemoveAll(d => d.ServiceType == typeof(IServiceMethodProvider<>)
            && d.ImplementationType is { IsGenericTypeDefinition: true, Name: var name } && name.StartsWith("BinderServiceMethodProvider", StringComparison.Ordinal));
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(GuardedServiceMethodProvider<>)));
    }

    private static void RemoveAll(this IServiceCollection services, Func<ServiceDescriptor, bool> predicate)
    {
        foreach (var descriptor in services.Where(predicate).ToList())
        {
            services.Remove(descriptor);
        }
    }
}
