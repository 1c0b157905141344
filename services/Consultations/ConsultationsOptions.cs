namespace Wsis.Consultations;

/// <summary>Settings of the service under <c>Consultations</c> (limits live in <see cref="Model.SubmissionLimits"/>).</summary>
public sealed class ConsultationsOptions
{
    public const string Section = "Consultations";

    /// <summary>
    /// <c>Consultations:Mail:AddressTemplate</c>: the address responses may be e-mailed to, with
    /// <c>{code}</c> standing for the consultation's routing code. Default
    /// <c>cwg-consultation+{code}@itu.int</c> (plus-addressing on one mailbox).
    /// </summary>
    public MailSettings Mail { get; set; } = new();

    /// <summary>
    /// <c>Consultations:Closing:PollSeconds</c>: the longest the closing service sleeps between
    /// checks (it wakes earlier for a deadline it knows). Default 30.
    /// </summary>
    public ClosingSettings Closing { get; set; } = new();

    public sealed class MailSettings
    {
        public string AddressTemplate { get; set; } = Model.MailRouting.DefaultAddressTemplate;
    }

    public sealed class ClosingSettings
    {
        public int PollSeconds { get; set; } = 30;
    }
}
