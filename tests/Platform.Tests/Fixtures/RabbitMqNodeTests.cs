using System.Text;
using RabbitMQ.Client;
using Testing;
using Xunit;
using Xunit.Abstractions;

namespace Platform.Tests.Fixtures;

/// <summary>The RabbitMQ fixture is a real broker: messages round-trip, survive a restart, and it listens on loopback only.</summary>
public sealed class RabbitMqNodeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_persistent_message_round_trips_through_the_shared_node()
    {
        var node = await SharedRabbitMq.GetAsync();
        output.WriteLine($"shared RabbitMQ node {node.NodeName} on {node.Host}:{node.Port} started in {node.StartupTime.TotalSeconds:F1} s");

        await using var connection = await new ConnectionFactory { Uri = node.AmqpUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var queue = $"round-trip-{Guid.NewGuid():N}";
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);

        var body = Encoding.UTF8.GetBytes("hello through a real broker");
        // With confirmation tracking, the publish completes only once the broker has confirmed it.
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true,
            new BasicProperties { DeliveryMode = DeliveryModes.Persistent, MessageId = "m-1" }, body);

        var received = await channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(received);
        Assert.Equal("m-1", received.BasicProperties.MessageId);
        Assert.Equal(body, received.Body.ToArray());
    }

    [Fact]
    public async Task A_durable_message_survives_a_broker_restart_and_a_kill_is_recovered_from()
    {
        await using var node = await RabbitMqNode.StartNewAsync();
        output.WriteLine($"private RabbitMQ node started in {node.StartupTime.TotalSeconds:F1} s");
        var port = node.Port;
        var queue = $"survivor-{Guid.NewGuid():N}";
        var factory = new ConnectionFactory { Uri = node.AmqpUri, AutomaticRecoveryEnabled = false };

        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true,
                new BasicProperties { DeliveryMode = DeliveryModes.Persistent }, "kept"u8.ToArray());
        }

        await node.StopAsync();
        Assert.False(FreePort.IsListening(port));
        await Assert.ThrowsAnyAsync<Exception>(() => factory.CreateConnectionAsync());

        await node.StartAsync();
        output.WriteLine($"restart took {node.StartupTime.TotalSeconds:F1} s");
        Assert.Equal(port, node.Port);

        await node.KillAsync();
        await node.StartAsync();
        output.WriteLine($"start after SIGKILL took {node.StartupTime.TotalSeconds:F1} s");

        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var received = await channel.BasicGetAsync(queue, autoAck: true);
            Assert.NotNull(received);
            Assert.Equal("kept", Encoding.UTF8.GetString(received.Body.Span));
        }
    }

    [Fact]
    public async Task Disposing_a_node_frees_its_port_and_deletes_its_folder()
    {
        var node = await RabbitMqNode.StartNewAsync();
        Assert.True(FreePort.IsListening(node.Port));
        await node.DisposeAsync();
        Assert.False(FreePort.IsListening(node.Port));
        Assert.False(Directory.Exists(node.Folder));
    }
}
