using Platform.Security;
using Wsis.Mail;

namespace Wsis.Host;

/// <summary>
/// The SMTP door inside the embedded host, when <c>Host:MailDoor</c> is true: it delivers to this
/// process's own Consultations (its gRPC endpoint) with a token the host signs itself with its own
/// key, so nothing needs configuring. <c>MailDoor:*</c> sets the port (2525), addresses and limits.
/// </summary>
public static class EmbeddedMailDoor
{
    public const string EnabledKey = "Host:MailDoor";

    public static WebApplicationBuilder AddEmbeddedMailDoor(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>(EnabledKey))
        {
            return builder;
        }

        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{MailDoorOptions.Section}:{nameof(MailDoorOptions.ConsultationsAddress)}"] = EmbeddedConfiguration.GrpcAddress(builder.Configuration).ToString(),
        });
        // Before AddMailDoor, whose own token source is only a fallback.
        builder.Services.AddSingleton<IMailDoorToken, HostSignedToken>();
        builder.AddMailDoor();
        return builder;
    }

    /// <summary>A secretariat token for the door, signed with the host's key and renewed well before it expires.</summary>
    private sealed class HostSignedToken(IConfiguration configuration, TimeProvider time) : IMailDoorToken
    {
        private readonly Lock _gate = new();
        private (string Token, DateTimeOffset Renew)? _current;

        public string Current()
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (_current is not { } current || now >= current.Renew)
                {
                    var token = DevelopmentTokenIssuer.FromConfiguration(configuration, time)
                        .Mint(new DevelopmentTokenRequest("mail-door", "SMTP door", [Platform.Domain.Role.Secretariat], null, null), TimeSpan.FromHours(2));
                    _current = current = (token, now.AddHours(1));
                }

                return current.Token;
            }
        }
    }
}
