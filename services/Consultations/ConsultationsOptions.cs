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

    /// <summary>
    /// <c>Consultations:Intake:MaxConcurrent</c> (default 256) submissions in progress at once and
    /// <c>Consultations:Intake:MaxQueue</c> (default 2000) waiting for a turn. Beyond that a
    /// submission is refused at once with UNAVAILABLE and told to retry (with the same
    /// request_id), instead of piling up until clients time out.
    /// <c>Consultations:Intake:Writers</c> transactions write web submissions at once, each storing
    /// up to <c>Consultations:Intake:MaxBatch</c> (default 256) of the submissions waiting at that
    /// moment (group commit). Default: 1 while the log is on (a consultation's batches take turns
    /// at its log head for the log's rows and the commit, so more writers wait for each other and
    /// make smaller batches: on 8 December, quiet, the cluster benchmark (two instances) stored
    /// 2,177 responses/s directly with one writer each and 1,639 with two; in one instance alone
    /// (bench/ConsultationsLog) two did better than one, 2,578 against 1,996), 4 with the log off.
    /// </summary>
    public IntakeSettings Intake { get; set; } = new();

    /// <summary>
    /// <c>Consultations:LiveCount:CacheFrom</c> (default 10,000) and
    /// <c>Consultations:LiveCount:MaxAgeSeconds</c> (default 5): an open consultation's count of
    /// published responses, when at least CacheFrom, is reused by an instance for up to
    /// MaxAgeSeconds instead of being counted at every view (see <see cref="Intake.LiveCounts"/>).
    /// Smaller counts are exact; MaxAgeSeconds 0 counts at every view.
    /// </summary>
    public LiveCountSettings LiveCount { get; set; } = new();

    /// <summary>
    /// <c>Consultations:Results:MaxAgeSeconds</c> (default 60): an open consultation's examination
    /// package (GetConsultationResults' counts and similar texts), once it has at least
    /// <c>LiveCount:CacheFrom</c> responses, is brought up to date by each instance's refresher every
    /// this many seconds (at least 1) in the background, instead of being computed again for each new
    /// response; readers are given the ready one, and a reader who finds it older starts the next
    /// computation (see <see cref="Examination.ExaminationPackages"/>, <see cref="Examination.ExaminationRefresher"/>).
    /// </summary>
    public ResultsSettings Results { get; set; } = new();

    public sealed class ResultsSettings
    {
        public int MaxAgeSeconds { get; set; } = 60;
    }

    /// <summary>
    /// <c>Consultations:Dkim:Enabled</c> (default true), <c>Consultations:Dkim:NameServers</c> (a list
    /// of "ip[:port]"; default: the system's resolvers) and <c>Consultations:Dkim:TimeoutMilliseconds</c>
    /// (default 3000): how e-mail responses' DKIM signatures are checked at receipt (<see cref="Intake.DkimCheck"/>).
    /// </summary>
    public DkimSettings Dkim { get; set; } = new();

    /// <summary>
    /// <c>Consultations:Log:Enabled</c> (default true): responses enter their consultation's log as
    /// they are stored. False exists to measure what the log costs (bench/ConsultationsLog): receipts
    /// then carry no inclusion proof and the responses enter the log at the close. The key is
    /// <see cref="Log.LogSigningKey"/>'s.
    /// </summary>
    public LogSettings Log { get; set; } = new();

    public sealed class LogSettings
    {
        public bool Enabled { get; set; } = true;
    }

    public sealed class DkimSettings
    {
        public bool Enabled { get; set; } = true;
        public List<string> NameServers { get; set; } = [];
        public int TimeoutMilliseconds { get; set; } = 3000;
    }

    public sealed class MailSettings
    {
        public string AddressTemplate { get; set; } = Model.MailRouting.DefaultAddressTemplate;
    }

    public sealed class IntakeSettings
    {
        public int MaxConcurrent { get; set; } = 256;
        public int MaxQueue { get; set; } = 2000;
        public int? Writers { get; set; }
        public int MaxBatch { get; set; } = 256;
    }

    public sealed class LiveCountSettings
    {
        public int CacheFrom { get; set; } = 10_000;
        public int MaxAgeSeconds { get; set; } = 5;
    }

    public sealed class ClosingSettings
    {
        public int PollSeconds { get; set; } = 30;
    }
}
