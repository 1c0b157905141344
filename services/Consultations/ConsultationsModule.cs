using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Data;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Wsis.Consultations.Closing;
using Wsis.Consultations.Data;
using Wsis.Consultations.Grpc;
using Wsis.Consultations.Intake;
using Wsis.Consultations.Log;
using Wsis.Consultations.Model;

namespace Wsis.Consultations;

/// <summary>
/// The Consultations service as a module: its own Program.cs and the embedded host call the same
/// two methods, which do everything (database and migrations, messaging, intake, closing, gRPC).
/// </summary>
public static class ConsultationsModule
{
    /// <summary>Largest gRPC message in or out: a response at the attachment limits, or a raw e-mail, plus room.</summary>
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>The connection-string name and database name of this service (<c>ConnectionStrings:Consultations</c>, <c>data/consultations.db</c>).</summary>
    public const string DatabaseName = "Consultations";

    public static WebApplicationBuilder AddConsultations(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddBearerAuthentication();
        builder.AddServiceDatabase<ConsultationsDbContext, SqliteConsultationsDbContext, PostgresConsultationsDbContext>(DatabaseName);   // migrations at start
        builder.AddIdempotencyRetention<ConsultationsDbContext>();
        builder.AddMessaging<ConsultationsDbContext>();
        builder.Services.Configure<ConsultationsOptions>(builder.Configuration.GetSection(ConsultationsOptions.Section));
        builder.Services.Configure<SubmissionLimits>(builder.Configuration.GetSection(SubmissionLimits.Section));
        builder.Services.TryAddSingleton(TimeProvider.System);
        // Read now, so a service without its signing key refuses to start (see LogSigningKey).
        builder.Services.AddSingleton(LogSigningKey.From(builder.Configuration, builder.Environment));
        builder.Services.AddSingleton<IntakeGate>();
        builder.Services.AddSingleton<DkimCheck>();
        builder.Services.AddSingleton<ConsultationDeadlines>();
        builder.Services.AddSingleton<LiveCounts>();
        builder.Services.AddSingleton<Examination.ExaminationPackages>();
        // Before the intake writer and the server: responses stored with the log off enter it first.
        builder.Services.AddHostedService<LogBackfill>();
        builder.Services.AddSingleton<IntakeWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IntakeWriter>());
        builder.Services.AddScoped<ResponseIntake>();
        builder.Services.AddScoped<ConsultationClosing>();
        builder.Services.AddHostedService<ConsultationClosingService>();
        // Closed consultations' packages stored after the close, large open ones kept fresh: no reader waits for one.
        builder.Services.AddHostedService<Examination.ExaminationRefresher>();

        // Raw e-mails and attachments exceed gRPC's 4 MiB default; the submission limits
        // (Consultations:Limits) are what bounds a response.
        builder.AddGrpcDefaults().AddServiceOptions<ConsultationsService>(o =>
        {
            o.MaxReceiveMessageSize = MaxMessageBytes;
            o.MaxSendMessageSize = MaxMessageBytes;
        });
        builder.AddGrpcServiceHealth(["consultations.v1.Consultations"], "database", "broker");
        return builder;
    }

    public static WebApplication MapConsultations(this WebApplication app)
    {
        app.MapGrpcService<ConsultationsService>();
        return app;
    }
}
