using Messaging.Dispatcher;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Messaging;

// A producer service's dispatcher alone in a process: args <postgres connection string> <amqp uri> <endpoint>.
// It prints "PUBLISHED <message id>" after the broker confirmed the first publish and then freezes
// before marking the row sent, so the test can kill it with SIGKILL exactly there.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Messaging.Dispatcher <postgres connection string> <amqp uri> <endpoint>");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Configuration["ConnectionStrings:RabbitMq"] = args[1];
builder.Configuration["Messaging:Endpoint"] = args[2];
builder.Configuration["Messaging:WaitUntilBusStarted"] = "true";
builder.Services.AddDbContext<FaultTestDb>(o => o.UseNpgsql(args[0]));
builder.Services.AddSingleton<IOutboxDispatchObserver, FreezeAfterPublish>();
builder.AddMessaging<FaultTestDb>();

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("READY");
await host.WaitForShutdownAsync();
return 0;

internal sealed class FreezeAfterPublish : IOutboxDispatchObserver
{
    public async ValueTask OnPublishedAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        Console.WriteLine($"PUBLISHED {message.MessageId}");
        await Console.Out.FlushAsync(cancellationToken);
        await Task.Delay(Timeout.Infinite, CancellationToken.None);
    }
}
