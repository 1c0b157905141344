namespace Wsis.Mail;

/// <summary>The SMTP door's settings (section <c>MailDoor</c>).</summary>
public sealed class MailDoorOptions
{
    public const string Section = "MailDoor";

    /// <summary>The TCP port SMTP is served on (25 in production behind the organisation's relay).</summary>
    public int Port { get; set; } = 2525;

    /// <summary>The address to listen on.</summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>The name in the greeting and EHLO reply.</summary>
    public string ServerName { get; set; } = "wsis-mail";

    /// <summary>Largest message accepted (advertised with SIZE; more at DATA is refused with 552). Keep it equal to <c>Consultations:Limits:MaxEmailBytes</c>.</summary>
    public int MaxMessageBytes { get; set; } = 40 * 1024 * 1024;

    /// <summary>A consultation's address, <c>{code}</c> standing for its routing code; mail to any such address is accepted (an unknown code is kept unassigned by the service).</summary>
    public string ConsultationAddressTemplate { get; set; } = "cwg-consultation+{code}@itu.int";

    /// <summary>The mailing list's archive address: its copies are stored with channel MAILING_LIST. Empty: none.</summary>
    public string MailingListArchiveAddress { get; set; } = "";

    /// <summary>The Consultations service (gRPC).</summary>
    public string ConsultationsAddress { get; set; } = "http://127.0.0.1:5102";

    /// <summary>The door's bearer token: a JWT with role <c>secretariat</c> (IngestEmail needs it). Or <see cref="TokenFile"/>.</summary>
    public string Token { get; set; } = "";

    /// <summary>A file holding the token (read at each delivery, so it can be rotated without a restart).</summary>
    public string TokenFile { get; set; } = "";

    /// <summary>How long one delivery may wait for the service before the sender is told to try again (451).</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
