using System.Threading.Channels;
using Grpc.Core;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Grpc.HealthCheck;

/// <summary>
/// grpc.health.v1.Health with a settable status per service name, as Grpc.HealthCheck's class of
/// the same name: <see cref="SetStatus"/>, <see cref="ClearStatus"/>, <see cref="ClearAll"/>.
/// The empty name stands for the whole server.
/// </summary>
public class HealthServiceImpl : Health.V1.Health.HealthBase
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Channel<ServingStatus>>> _watchers = new(StringComparer.Ordinal);
    private bool _shutDown;

    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            _statuses[service] = status;
            Notify(service, status);
        }
    }

    public void ClearStatus(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            if (_statuses.Remove(service)) Notify(service, ServingStatus.ServiceUnknown);
        }
    }

    public void ClearAll()
    {
        lock (_lock)
        {
            foreach (var service in _statuses.Keys.ToList())
            {
                _statuses.Remove(service);
                Notify(service, ServingStatus.ServiceUnknown);
            }
        }
    }

    /// <summary>Marks every service NOT_SERVING and ends open Watch streams (server shutting down).</summary>
    public void Shutdown()
    {
        lock (_lock)
        {
            _shutDown = true;
            foreach (var service in _statuses.Keys.ToList())
            {
                _statuses[service] = ServingStatus.NotServing;
                Notify(service, ServingStatus.NotServing);
            }
            foreach (var list in _watchers.Values)
            {
                foreach (var w in list) w.Writer.TryComplete();
            }
            _watchers.Clear();
        }
    }

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        lock (_lock)
        {
            if (_statuses.TryGetValue(request.Service, out var status))
            {
                return Task.FromResult(new HealthCheckResponse { Status = status });
            }
        }
        throw new RpcException(new Status(StatusCode.NotFound, $"Unknown service '{request.Service}'."));
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        // Only the latest status matters to a watcher: older unsent ones are dropped.
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        ServingStatus current;
        lock (_lock)
        {
            current = _shutDown ? ServingStatus.NotServing
                : _statuses.TryGetValue(request.Service, out var s) ? s : ServingStatus.ServiceUnknown;
            if (_shutDown)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                if (!_watchers.TryGetValue(request.Service, out var list)) _watchers[request.Service] = list = [];
                list.Add(channel);
            }
        }
        try
        {
            await responseStream.WriteAsync(new HealthCheckResponse { Status = current }).ConfigureAwait(false);
            var last = current;
            await foreach (var status in channel.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (status == last) continue;
                last = status;
                await responseStream.WriteAsync(new HealthCheckResponse { Status = status }).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client left or the deadline passed: nothing more to send.
        }
        finally
        {
            lock (_lock)
            {
                if (_watchers.TryGetValue(request.Service, out var list))
                {
                    list.Remove(channel);
                    if (list.Count == 0) _watchers.Remove(request.Service);
                }
            }
        }
    }

    private void Notify(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var list))
        {
            foreach (var w in list) w.Writer.TryWrite(status);
        }
    }
}
