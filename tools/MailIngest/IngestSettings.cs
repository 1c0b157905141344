using Wsis.Consultations.V1;

namespace Wsis.Tools.MailIngest;

/// <summary>What the command needs: where the service is, the gateway's token, the channel and the envelope recipient.</summary>
public sealed record IngestSettings(string Address, string Token, Channel Channel, string Recipient, TimeSpan Timeout)
{
    public const string Usage = """
        usage: wsis-mail-ingest --address URL --recipient ADDRESS [--channel email|mailing-list]
                                [--token-file FILE] [--timeout SECONDS] < message.eml
          --address     the Consultations service, e.g. http://consultations:5102 (env WSIS_CONSULTATIONS_ADDRESS)
          --recipient   the envelope recipient (Postfix: ${recipient})
          --channel     email (default) or mailing-list
          --token-file  file holding the mail gateway's bearer token (role secretariat);
                        otherwise env WSIS_MAIL_GATEWAY_TOKEN
          --timeout     seconds to wait for the service (default 60)
        """;

    public static IngestSettings Parse(string[] args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"unexpected argument '{name}'");
            }

            values[name[2..]] = args[++i];
        }

        var address = values.GetValueOrDefault("address") ?? environment("WSIS_CONSULTATIONS_ADDRESS")
            ?? throw new ArgumentException("--address is required");
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException("--address must be an http:// or https:// URL");
        }

        var recipient = values.GetValueOrDefault("recipient") ?? throw new ArgumentException("--recipient is required");
        var channel = values.GetValueOrDefault("channel", "email") switch
        {
            "email" => Channel.Email,
            "mailing-list" => Channel.MailingList,
            var other => throw new ArgumentException($"--channel '{other}' is not email or mailing-list"),
        };

        string token;
        if (values.TryGetValue("token-file", out var tokenFile))
        {
            try
            {
                token = File.ReadAllText(tokenFile).Trim();
            }
            catch (IOException e)
            {
                throw new ArgumentException($"--token-file cannot be read: {e.Message}");
            }
            catch (UnauthorizedAccessException)
            {
                throw new ArgumentException("--token-file cannot be read: permission denied");
            }
        }
        else
        {
            token = environment("WSIS_MAIL_GATEWAY_TOKEN")?.Trim() ?? throw new ArgumentException("a token is required: --token-file or WSIS_MAIL_GATEWAY_TOKEN");
        }

        if (token.Length == 0)
        {
            throw new ArgumentException("the token is empty");
        }

        var timeout = values.TryGetValue("timeout", out var seconds)
            ? int.TryParse(seconds, out var s) && s > 0 ? TimeSpan.FromSeconds(s) : throw new ArgumentException("--timeout must be a positive number of seconds")
            : TimeSpan.FromSeconds(60);
        return new IngestSettings(address, token, channel, recipient, timeout);
    }
}
