using System.Net.Sockets;
using Wsis.Mail;

// The container's HEALTHCHECK: `dotnet Mail.dll healthcheck` expects the SMTP greeting.
if (args is ["healthcheck", ..])
{
    var port = int.TryParse(Environment.GetEnvironmentVariable("MailDoor__Port"), out var p) ? p : new MailDoorOptions().Port;
    try
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(5));
        var greeting = await new StreamReader(client.GetStream()).ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
        return greeting?.StartsWith("220", StringComparison.Ordinal) == true ? 0 : 1;
    }
    catch (Exception e) when (e is SocketException or IOException or TimeoutException)
    {
        return 1;
    }
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddMailDoor();
await builder.Build().RunAsync();
return 0;
