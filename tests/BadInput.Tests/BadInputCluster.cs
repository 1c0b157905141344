using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.IdentityModel.Tokens;
using Platform.Security;
using Testing;
using Wsis.Consultations.V1;

namespace BadInput.Tests;

/// <summary>
/// The doors hostile input comes through, each its own process from its build output (so a crash
/// is a dead process, not a failed test host): Teams, Consultations and Reporting on a private
/// PostgreSQL database each, and the gateway (gRPC port, web/JSON port) routing to them. The
/// services accept tokens signed with an HS256 secret or an RSA key (<see cref="RsaKey"/>). Before any test runs
/// it opens a consultation, stores responses through the web and e-mail channels and keeps their
/// bytes and SHA-256s, so every test can check that nothing stored before has changed.
/// </summary>
public sealed class BadInputCluster : IAsyncLifetime
{
    private const string IssuerName = "wsis-bad-input";
    private const string AudienceName = "wsis";
    private readonly string _signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The RSA key whose public half the services accept (RS256), besides the HS256 secret.</summary>
    public RSA RsaKey { get; } = RSA.Create(2048);

    public string Issuer => IssuerName;
    public string Audience => AudienceName;
    public byte[] Secret => Convert.FromBase64String(_signingKey);
    private readonly List<DeployableProcess> _processes = [];
    private List<(string Id, byte[] Bytes, string Sha256)> _baseline = [];

    /// <summary>One seed per run, printed by every test that draws from it, so a failure reproduces
    /// with BAD_INPUT_SEED=&lt;seed&gt;.</summary>
    public int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("BAD_INPUT_SEED"), out var s) ? s : Random.Shared.Next();

    public string Folder { get; } = Directory.CreateTempSubdirectory("wsis-bad-input-").FullName;
    public DeployableProcess Teams { get; private set; } = null!;
    public DeployableProcess Consultations { get; private set; } = null!;
    public DeployableProcess Reporting { get; private set; } = null!;
    public DeployableProcess Gateway { get; private set; } = null!;
    public Uri TeamsAddress { get; private set; } = null!;
    public Uri ConsultationsAddress { get; private set; } = null!;
    public Uri ReportingAddress { get; private set; } = null!;
    public Uri GatewayGrpc { get; private set; } = null!;
    public Uri GatewayWeb { get; private set; } = null!;

    /// <summary>The open consultation the tests submit to.</summary>
    public string ConsultationId { get; private set; } = "";

    /// <summary>The address e-mail for <see cref="ConsultationId"/> is sent to.</summary>
    public string ConsultationEmail { get; private set; } = "";

    /// <summary>Prior-knowledge HTTP/2 for hand-made gRPC requests (a well-behaved client cannot send them).</summary>
    public HttpClient Http2 { get; } = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        DefaultRequestVersion = System.Net.HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public HttpClient Web { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await SharedPostgres.GetAsync();
        var common = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__Provider"] = "Postgres",
            ["Auth__Issuer"] = IssuerName,
            ["Auth__Audience"] = AudienceName,
            ["Auth__SigningKeys__0"] = _signingKey,
            ["Auth__SigningKeys__1"] = RsaKey.ExportSubjectPublicKeyInfoPem(),
            ["Consultations__Log__SigningKey"] = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem(),
        };
        int teamsPort = FreePort.Next(), consultationsPort = FreePort.Next(), reportingPort = FreePort.Next(), webPort = FreePort.Next(), grpcPort = FreePort.Next();

        Dictionary<string, string> Service(int port, string key, string database) => new(common)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{port}",
            ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
            [key] = database,
        };

        Teams = Launch("teams", BuildOutput.Dll("deploy/Teams", "Teams"),
            Service(teamsPort, "ConnectionStrings__Teams", await postgres.CreateDatabaseAsync()));
        Consultations = Launch("consultations", BuildOutput.Dll("deploy/Consultations", "Consultations"),
            Service(consultationsPort, "ConnectionStrings__Consultations", await postgres.CreateDatabaseAsync()));
        Reporting = Launch("reporting", BuildOutput.Dll("deploy/Reporting", "Reporting"),
            Service(reportingPort, "ConnectionStrings__Reporting", await postgres.CreateDatabaseAsync()));
        Gateway = Launch("gateway", BuildOutput.Dll("deploy/Gateway", "Gateway"), new Dictionary<string, string>(common)
        {
            ["ASPNETCORE_URLS"] = "",
            ["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{webPort}",
            ["Kestrel__Endpoints__Web__Protocols"] = "Http1",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
            ["ReverseProxy__Clusters__teams__Destinations__d1__Address"] = $"http://127.0.0.1:{teamsPort}",
            ["ReverseProxy__Clusters__consultations__Destinations__d1__Address"] = $"http://127.0.0.1:{consultationsPort}",
            ["ReverseProxy__Clusters__reporting__Destinations__d1__Address"] = $"http://127.0.0.1:{reportingPort}",
            ["Gateway__RateLimits__Submissions__PermitLimit"] = "100000",
            ["ReverseProxy__Routes__json-teams__MaxRequestBodySize"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReverseProxy__Routes__json-consultations__MaxRequestBodySize"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReverseProxy__Routes__json-consultations-submit__MaxRequestBodySize"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        foreach (var (process, port) in new[] { (Teams, teamsPort), (Consultations, consultationsPort), (Reporting, reportingPort), (Gateway, grpcPort) })
        {
            await process.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(120));
        }

        TeamsAddress = new Uri($"http://127.0.0.1:{teamsPort}");
        ConsultationsAddress = new Uri($"http://127.0.0.1:{consultationsPort}");
        ReportingAddress = new Uri($"http://127.0.0.1:{reportingPort}");
        GatewayGrpc = new Uri($"http://127.0.0.1:{grpcPort}");
        GatewayWeb = new Uri($"http://127.0.0.1:{webPort}");
        Web = new HttpClient { BaseAddress = GatewayWeb, Timeout = TimeSpan.FromSeconds(30) };
        await Gateway.WaitUntilHttpOkAsync(new Uri(GatewayWeb, "/healthz").ToString(), TimeSpan.FromSeconds(60));
        await SeedAsync();
        await WaitUntilServingAsync();
    }

    /// <summary>
    /// Every process and the gateway's view of each cluster serving before the first test: the
    /// gateway's whole-server health is SERVING only once YARP's first active probes found the
    /// destinations healthy, which a busy machine may take seconds to run.
    /// </summary>
    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                await AssertIntactAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }

    private async Task SeedAsync()
    {
        var client = ConsultationsClient(ConsultationsAddress);
        var secretariat = Bearer(Token("secretariat-1", "secretariat"));
        var meeting = await client.ScheduleGroupMeetingAsync(new ScheduleGroupMeetingRequest
        {
            StartsOn = DateTime.UtcNow.AddMonths(4).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Venue = "Geneva",
        }, secretariat);
        var consultation = await client.OpenConsultationAsync(new OpenConsultationRequest
        {
            MeetingId = meeting.Id,
            Title = "Bad input",
            IssueText = "What should happen to hostile input?",
            Questions = { "Anything to add?" },
        }, secretariat);
        ConsultationId = consultation.Id;
        ConsultationEmail = consultation.EmailAddress;

        for (var i = 0; i < 3; i++)
        {
            await client.SubmitResponseAsync(new SubmitResponseRequest
            {
                ConsultationId = ConsultationId,
                Respondent = new Respondent { Name = $"Respondent {i}", Organisation = "Org", Category = RespondentCategory.CivilSociety, CountryCode = "CH", Email = $"r{i}@example.org" },
                Text = $"A response stored before any bad input ({i}), with ünïcødé.",
                Attachments = { new AttachmentUpload { FileName = $"note-{i}.txt", MediaType = "text/plain", Content = ByteString.CopyFromUtf8("plain note " + i) } },
            });
        }

        var mail = $"From: Ana <ana@example.org>\r\nTo: {ConsultationEmail}\r\nSubject: Before\r\nMessage-ID: <before@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAn e-mailed response stored before any bad input.\r\n";
        await client.IngestEmailAsync(new IngestEmailRequest
        {
            RawMessage = ByteString.CopyFromUtf8(mail),
            Channel = Channel.Email,
            EnvelopeRecipient = ConsultationEmail,
        }, secretariat);

        _baseline = await SnapshotAsync();
        Assert.Equal(4, _baseline.Count);
    }

    /// <summary>Every published response of the consultation as the secretariat reads it: its
    /// serialized bytes and the SHA-256 the service stored with it.</summary>
    private async Task<List<(string Id, byte[] Bytes, string Sha256)>> SnapshotAsync()
    {
        var client = ConsultationsClient(ConsultationsAddress);
        var secretariat = Bearer(Token("secretariat-1", "secretariat"));
        var all = new List<(string, byte[], string)>();
        var token = "";
        do
        {
            var page = await client.ListResponsesAsync(new ListResponsesRequest { ConsultationId = ConsultationId, PageSize = 100, PageToken = token }, secretariat);
            foreach (var response in page.Responses)
            {
                var full = await client.GetResponseAsync(new GetResponseRequest { Id = response.Id }, secretariat);
                all.Add((full.Id, full.ToByteArray(), full.Sha256));
            }

            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }

    /// <summary>
    /// What every test ends with: all three processes alive, each answering a health check and a
    /// normal call, and every response stored before the bad input byte for byte as it was.
    /// </summary>
    public async Task AssertIntactAsync()
    {
        foreach (var process in _processes)
        {
            Assert.True(process.IsRunning, $"{process.Name} is no longer running:\n{process.Tail(4000)}");
        }

        foreach (var (address, service) in new[] { (TeamsAddress, ""), (ConsultationsAddress, ""), (ReportingAddress, ""), (GatewayGrpc, ""),
                     (GatewayGrpc, "consultations.v1.Consultations"), (GatewayGrpc, "teams.v1.Teams") })
        {
            using var channel = GrpcChannel.ForAddress(address);
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.True(health.Status == HealthCheckResponse.Types.ServingStatus.Serving, $"{address} '{service}': {health.Status}");
        }

        using (var teams = GrpcChannel.ForAddress(TeamsAddress))
        {
            var lines = await new Wsis.Teams.V1.Teams.TeamsClient(teams).ListActionLinesAsync(new Wsis.Teams.V1.ListActionLinesRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Contains(lines.ActionLines, l => l.Code == "C7");
        }

        foreach (var address in new[] { ConsultationsAddress, GatewayGrpc })
        {
            var consultation = await ConsultationsClient(address).GetConsultationAsync(new GetConsultationRequest { Id = ConsultationId }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(ConsultationState.Open, consultation.State);
        }

        using (var page = await Web.GetAsync($"/consultations/{ConsultationId}"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        }

        var now = (await SnapshotAsync()).ToDictionary(r => r.Id);
        foreach (var (id, bytes, sha256) in _baseline)
        {
            Assert.True(now.TryGetValue(id, out var current), $"response {id} stored before the bad input is gone");
            Assert.Equal(sha256, current.Sha256);
            Assert.True(bytes.AsSpan().SequenceEqual(current.Bytes), $"response {id} stored before the bad input reads differently now");
        }
    }

    public Wsis.Consultations.V1.Consultations.ConsultationsClient ConsultationsClient(Uri address) =>
        new(GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024, MaxSendMessageSize = 64 * 1024 * 1024 }));

    public string Token(string subject, string role, string? country = null, string? org = null) =>
        new DevelopmentTokenIssuer(IssuerName, AudienceName, new SymmetricSecurityKey(Convert.FromBase64String(_signingKey)))
            .Mint(new DevelopmentTokenRequest(subject, subject, [role], country, org), TimeSpan.FromHours(2));

    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    public string Logs() => string.Join("\n", _processes.Select(p => $"===== {p.Name}\n{p.Tail(3000)}"));

    private DeployableProcess Launch(string name, string dll, Dictionary<string, string> environment)
    {
        var process = DeployableProcess.Start(name, dll, Path.Combine(Folder, name), environment);
        _processes.Add(process);
        return process;
    }

    public async Task DisposeAsync()
    {
        RsaKey.Dispose();
        Http2.Dispose();
        Web?.Dispose();
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BadInputCollection : ICollectionFixture<BadInputCluster>
{
    public const string Name = "bad input";
}
