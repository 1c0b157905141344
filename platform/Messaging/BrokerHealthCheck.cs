using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace Platform.Messaging;

/// <summary>
/// Unhealthy while the RabbitMQ broker cannot be reached, healthy again by itself once it can.
/// MassTransit's own bus check only watches receive endpoints, so a service that only publishes
/// would look healthy with the broker down; this check holds one small connection of its own.
/// </summary>
internal sealed class BrokerHealthCheck(RabbitMqAddress address) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = await ProbeAsync(cancellationToken);
        return failure is null ? HealthCheckResult.Healthy("broker reachable") : HealthCheckResult.Unhealthy($"broker unreachable ({failure})");
    }

    /// <summary>Null when the broker accepts a connection (the one held, or a new one); otherwise why not.</summary>
    public async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true })
            {
                return null;
            }
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
            var factory = new ConnectionFactory
            {
                HostName = address.Host,
                Port = address.Port,
                VirtualHost = address.VirtualHost,
                UserName = address.UserName,
                Password = address.Password,
                AutomaticRecoveryEnabled = false,
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                ClientProvidedName = "health-check",
            };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            _connection = await factory.CreateConnectionAsync(timeout.Token);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ex.GetType().Name;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        _gate.Dispose();
    }
}
