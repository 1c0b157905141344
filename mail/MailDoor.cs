using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SmtpServer;
using Wsis.Consultations.V1;
using Wsis.Contracts.Clients;

namespace Wsis.Mail;

/// <summary>The SMTP server, run for the host's lifetime.</summary>
public sealed partial class MailDoor(IOptions<MailDoorOptions> options, ResponseDelivery delivery, RecipientFilter filter, ILogger<MailDoor> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var smtp = new SmtpServerOptionsBuilder()
            .ServerName(settings.ServerName)
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Parse(settings.Address), settings.Port)).IsSecure(false))
            // Advertised with SIZE (a sender that declares more is refused at MAIL); more at DATA ends the transaction.
            .MaxMessageSize(settings.MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(delivery);
        services.Add(filter);
        var server = new SmtpServer.SmtpServer(smtp, services);
        LogListening(logger, settings.Address, settings.Port);
        await server.StartAsync(stoppingToken);
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "SMTP door listening on {Address}:{Port}")]
    private static partial void LogListening(ILogger logger, string address, int port);
}

public static class MailDoorModule
{
    /// <summary>The SMTP door: settings from <c>MailDoor:*</c>, a gRPC client of Consultations with the project's retry policy.</summary>
    public static IHostApplicationBuilder AddMailDoor(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailDoorOptions>().Bind(builder.Configuration.GetSection(MailDoorOptions.Section))
            .Validate(o => o.Port is > 0 and < 65536 && o.MaxMessageBytes > 0 && Uri.IsWellFormedUriString(o.ConsultationsAddress, UriKind.Absolute),
                "MailDoor: Port, MaxMessageBytes and ConsultationsAddress must be set")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new Wsis.Consultations.V1.Consultations.ConsultationsClient(ServiceChannels.ForAddress(
            sp.GetRequiredService<IOptions<MailDoorOptions>>().Value.ConsultationsAddress,
            new Grpc.Net.Client.GrpcChannelOptions { MaxSendMessageSize = 64 * 1024 * 1024 })));
        builder.Services.TryAddSingleton<IMailDoorToken, ConfiguredMailDoorToken>();
        builder.Services.AddSingleton<Mailboxes>();
        builder.Services.AddSingleton<ResponseDelivery>();
        builder.Services.AddSingleton<RecipientFilter>();
        builder.Services.AddHostedService<MailDoor>();
        return builder;
    }
}
