using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.IdentityModel.Tokens;
using Platform.Security;
using Testing;
using Wsis.Consultations.V1;
using Xunit.Abstractions;

namespace Mail.Tests;

/// <summary>
/// The SMTP door with the Consultations service behind it, each its own process on a private
/// PostgreSQL database, and real SMTP clients written by others: Python's smtplib and swaks.
/// </summary>
public sealed class SmtpDoor : IAsyncLifetime
{
    private const string Issuer = "wsis-mail-tests";
    private const string Audience = "wsis";
    public const string ArchiveAddress = "cwg-internet-archive@lists.itu.int";
    public const int MaxMessageBytes = 256 * 1024;
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Folder { get; } = Directory.CreateTempSubdirectory("wsis-mail-").FullName;
    public DeployableProcess Consultations { get; private set; } = null!;
    public DeployableProcess Door { get; private set; } = null!;
    public int SmtpPort { get; } = FreePort.Next();
    public Uri ConsultationsAddress { get; private set; } = null!;
    public string ConsultationId { get; private set; } = "";
    public string ConsultationEmail { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var postgres = await SharedPostgres.GetAsync();
        var port = FreePort.Next();
        ConsultationsAddress = new Uri($"http://127.0.0.1:{port}");
        Consultations = DeployableProcess.Start("consultations", BuildOutput.Dll("deploy/Consultations", "Consultations"), Path.Combine(Folder, "consultations"), new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = ConsultationsAddress.ToString(),
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Consultations"] = await postgres.CreateDatabaseAsync(),
            ["Auth__Issuer"] = Issuer,
            ["Auth__Audience"] = Audience,
            ["Auth__SigningKeys__0"] = _key,
            ["Consultations__Log__SigningKey"] = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem(),
            ["Consultations__Limits__MaxEmailBytes"] = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await Consultations.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(120));

        Door = DeployableProcess.Start("mail", BuildOutput.Dll("deploy/Mail", "Mail"), Path.Combine(Folder, "mail"), new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["MailDoor__Address"] = "127.0.0.1",
            ["MailDoor__Port"] = SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MailDoor__MaxMessageBytes"] = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MailDoor__MailingListArchiveAddress"] = ArchiveAddress,
            ["MailDoor__ConsultationsAddress"] = ConsultationsAddress.ToString(),
            ["MailDoor__Token"] = Token("mail-door", "secretariat"),
            ["MailDoor__DeliveryTimeout"] = "00:00:10",
        });
        await Door.WaitUntilListeningAsync(SmtpPort, TimeSpan.FromSeconds(60));

        var client = Client();
        var secretariat = Bearer(Token("secretariat-1", "secretariat"));
        var meeting = await client.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
        {
            StartsOn = DateTime.UtcNow.AddMonths(4).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Venue = "Geneva",
        }, secretariat);
        var consultation = await client.OpenConsultationAsync(new OpenConsultationRequest
        {
            MeetingId = meeting.Id,
            Title = "Mail door",
            IssueText = "Responses by e-mail",
            Questions = { "Anything?" },
        }, secretariat);
        ConsultationId = consultation.Id;
        ConsultationEmail = consultation.EmailAddress;
    }

    public Consultations.ConsultationsClient Client() => new(GrpcChannel.ForAddress(ConsultationsAddress));

    public string Token(string subject, string role) =>
        new DevelopmentTokenIssuer(Issuer, Audience, new SymmetricSecurityKey(Convert.FromBase64String(_key)))
            .Mint(new DevelopmentTokenRequest(subject, subject, [role], null, null), TimeSpan.FromHours(2));

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    /// <summary>Every stored response (published, late or unassigned) whose raw message is <paramref name="raw"/>, as the secretariat reads them.</summary>
    public async Task<List<Response>> StoredAsync(byte[] raw)
    {
        var client = Client();
        var secretariat = Bearer(Token("secretariat-1", "secretariat"));
        var found = new List<Response>();
        var pages = new[]
        {
            (await client.ListResponsesAsync(new ListResponsesRequest { ConsultationId = ConsultationId, PageSize = 500 }, secretariat)).Responses,
            (await client.ListUnassignedResponsesAsync(new ListUnassignedResponsesRequest { PageSize = 500 }, secretariat)).Responses,
        };
        foreach (var summary in pages.SelectMany(p => p))
        {
            var full = await client.GetResponseAsync(new GetResponseRequest { Id = summary.Id }, secretariat);
            if (full.RawMessage.Span.SequenceEqual(raw))
            {
                found.Add(full);
            }
        }

        return found;
    }

    public async Task DisposeAsync()
    {
        await Door.DisposeAsync();
        await Consultations.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class SmtpDoorTests(SmtpDoor door, ITestOutputHelper output) : IClassFixture<SmtpDoor>
{
    private static byte[] Message(string subject, string body, string to) => Encoding.UTF8.GetBytes(
        $"From: Ana Respondent <ana@example.org>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.org>\r\n" +
        $"Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n" +
        // A line that starts with a dot: the client stuffs it, the door must unstuff it exactly.
        ".a line starting with a dot\r\n");

    private async Task<(int Code, string Output)> SmtplibAsync(byte[] message, string to, bool declareSize = false, int timeoutSeconds = 60)
    {
        var file = Path.Combine(door.Folder, Guid.NewGuid().ToString("N") + ".eml");
        await File.WriteAllBytesAsync(file, message);
        string[] args = [Path.Combine(AppContext.BaseDirectory, "send_mail.py"), door.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "ana@example.org", to, file, $"--timeout={timeoutSeconds}", .. declareSize ? new[] { "--size" } : []];
        return await RunAsync("/usr/bin/python3", args);
    }

    private static async Task<(int Code, string Output)> RunAsync(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{command} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task A_message_sent_with_smtplib_is_stored_byte_for_byte_and_published()
    {
        var message = Message("Response by SMTP", "Our organisation supports the proposal.", door.ConsultationEmail);
        var (code, text) = await SmtplibAsync(message, door.ConsultationEmail);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains("250", text);

        var stored = Assert.Single(await door.StoredAsync(message));
        Assert.Equal(door.ConsultationId, stored.ConsultationId);
        Assert.Equal(Channel.Email, stored.Channel);
        Assert.Contains(stored.TrackingNumber, text);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(message)), stored.Sha256);
    }

    [Fact]
    public async Task The_mailing_lists_archive_copy_is_stored_as_a_mailing_list_response_and_swaks_is_served_too()
    {
        var (code, text) = await RunAsync("swaks", "--server", "127.0.0.1", "--port", door.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--from", "list-bounces@lists.itu.int", "--to", SmtpDoor.ArchiveAddress, "--helo", "lists.itu.int",
            "--header", $"Subject: [CWG-{door.ConsultationEmail.Split('+', '@')[1].ToUpperInvariant()}] a list post", "--body", "Posted to the list.");
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains("<-  250 2.0.0 stored as", text);

        var client = door.Client();
        var list = await client.ListResponsesAsync(new ListResponsesRequest { ConsultationId = door.ConsultationId, PageSize = 500 });
        Assert.Contains(list.Responses, r => r.Channel == Channel.MailingList && r.Text.Contains("Posted to the list."));
    }

    [Fact]
    public async Task Other_recipients_are_refused_at_RCPT_and_nothing_is_relayed()
    {
        var (code, text) = await RunAsync("swaks", "--server", "127.0.0.1", "--port", door.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--from", "spammer@example.com", "--to", "someone@example.com", "--body", "relay me");
        output.WriteLine(text);
        Assert.NotEqual(0, code);
        Assert.Matches(@"<\*\* +550", text);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_refused_at_MAIL_when_declared_and_at_DATA_when_not()
    {
        var big = Message("Too large", new string('x', SmtpDoor.MaxMessageBytes + 1024), door.ConsultationEmail);
        var (code, text) = await SmtplibAsync(big, door.ConsultationEmail, declareSize: true);
        output.WriteLine(text);
        Assert.Equal(2, code);
        Assert.StartsWith("552", text.Trim());

        // Undeclared, the data goes out in full; the door stops reading past the limit and ends the
        // session (the client gives up after its timeout), storing nothing.
        (code, text) = await SmtplibAsync(big, door.ConsultationEmail, timeoutSeconds: 5);
        output.WriteLine(text);
        Assert.NotEqual(0, code);
        Assert.Empty(await door.StoredAsync(big));
    }

    [Fact]
    public async Task A_message_answered_250_survives_the_service_being_killed_right_after()
    {
        var message = Message("Just before a crash", "Sent a moment before the service went down.", door.ConsultationEmail);
        var (code, text) = await SmtplibAsync(message, door.ConsultationEmail);
        Assert.True(code == 0, text);
        await door.Consultations.KillAsync();
        door.Consultations.Start();
        await door.Consultations.WaitUntilListeningAsync(door.ConsultationsAddress.Port, TimeSpan.FromSeconds(120));
        Assert.Single(await door.StoredAsync(message));
    }

    [Fact]
    public async Task While_the_service_is_down_the_sender_is_told_to_retry_and_the_retry_is_stored_once()
    {
        var message = Message("During an outage", "Sent while the service restarts.", door.ConsultationEmail);
        await door.Consultations.StopAsync();
        var (code, text) = await SmtplibAsync(message, door.ConsultationEmail);
        output.WriteLine(text);
        Assert.NotEqual(0, code);
        Assert.Contains("451", text);

        door.Consultations.Start();
        await door.Consultations.WaitUntilListeningAsync(door.ConsultationsAddress.Port, TimeSpan.FromSeconds(120));
        // The relay retries until it is told 250, then once more (the answer to its first success was lost): one response.
        var accepted = false;
        for (var attempt = 0; attempt < 15 && !accepted; attempt++)
        {
            accepted = (await SmtplibAsync(message, door.ConsultationEmail)).Code == 0;
            if (!accepted)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }

        Assert.True(accepted, "the retries were never accepted");
        Assert.Equal(0, (await SmtplibAsync(message, door.ConsultationEmail)).Code);
        Assert.Single(await door.StoredAsync(message));
    }
}
