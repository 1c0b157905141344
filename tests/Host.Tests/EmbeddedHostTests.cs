using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Wsis.Consultations.V1;
using Wsis.Reporting.V1;
using Wsis.Teams.V1;
using Xunit.Abstractions;

namespace Host.Tests;

/// <summary>
/// `dotnet run --project host` as a newcomer runs it: the real host process in an empty working
/// directory with nothing configured, reached the way users reach it (gRPC, JSON, web pages, a
/// development token).
/// </summary>
public sealed class EmbeddedHostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serves_the_three_services_and_the_gateway_with_demonstration_data_that_survives_a_restart()
    {
        var clock = Stopwatch.StartNew();
        var workingDirectory = Directory.CreateTempSubdirectory("wsis-host-").FullName;
        string teamId, token;
        await using (var host = await EmbeddedHostProcess.StartAsync(workingDirectory))
        {
            await host.WaitForDemoDataStepAsync();
            Assert.Contains("Demonstration data created", host.Process.Output());

            // What the host prints: where the pages and the gRPC endpoint are, and how to get a token.
            Assert.Contains($"web pages     {host.Web}", host.Process.Output());
            Assert.Contains("gRPC (h2c)    http://" + host.Channel.Target, host.Process.Output());
            Assert.Contains("/dev/token", host.Process.Output());

            var health = await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

            // Teams: the demonstration team with its designated coordinator, modalities and meeting.
            var teams = new Wsis.Teams.V1.Teams.TeamsClient(host.Channel);
            Assert.Contains((await teams.ListActionLinesAsync(new ListActionLinesRequest())).ActionLines, l => l.Code == "C7");
            var team = Assert.Single((await teams.ListTeamsAsync(new ListTeamsRequest())).Teams, t => t.ActionLineCode == "C2");
            teamId = team.Id;
            Assert.Equal("C2", team.ActionLineCode);
            Assert.NotEmpty(team.CoordinatorStakeholderId);
            var coordinator = await new Stakeholders.StakeholdersClient(host.Channel)
                .GetStakeholderAsync(new GetStakeholderRequest { Id = team.CoordinatorStakeholderId });
            Assert.Equal("International Telecommunication Union", coordinator.Name);
            Assert.Single(team.Meetings);

            // Consultations: one open consultation with the responses exactly as submitted.
            var consultations = new Wsis.Consultations.V1.Consultations.ConsultationsClient(host.Channel);
            var consultation = Assert.Single((await consultations.ListConsultationsAsync(new ListConsultationsRequest())).Consultations);
            Assert.Equal(ConsultationState.Open, consultation.State);
            var responses = (await consultations.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id })).Responses;
            Assert.Equal(2, responses.Count);
            Assert.Contains(responses, r => r.Text == "Licence-exempt spectrum and small-operator licences lowered costs in rural areas.");

            // A development token from the host, accepted by a service behind it.
            token = await host.DevelopmentTokenAsync(new { sub = "test-secretariat", name = "Test", roles = new[] { "secretariat" } });
            var registered = await new Stakeholders.StakeholdersClient(host.Channel).RegisterStakeholderAsync(new RegisterStakeholderRequest
            {
                Name = "Test organisation",
                Category = Wsis.Teams.V1.StakeholderCategory.CivilSociety,
                CountryCode = "FR",
                ContactEmail = "test@example.org",
            }, EmbeddedHostProcess.Bearer(token));
            Assert.NotEmpty(registered.Id);

            // Reporting: events from Teams and Consultations reached it over the in-memory bus, so a
            // compiled report names the demonstration consultation.
            var reports = new Reports.ReportsClient(host.Channel);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            await Eventually(async () =>
            {
                var report = await reports.CompileReportAsync(new CompileReportRequest
                {
                    PeriodStart = new DateOnly(today.Year, 1, 1).ToString("yyyy-MM-dd"),
                    PeriodEnd = today.AddMonths(6).ToString("yyyy-MM-dd"),
                }, EmbeddedHostProcess.Bearer(token));
                var rendered = await reports.GetReportAsync(new GetReportRequest { Id = report.Id, Format = ReportFormat.Markdown }, EmbeddedHostProcess.Bearer(token));
                return rendered.Content.Contains(consultation.Title, StringComparison.Ordinal);
            }, "a compiled report showing the demonstration consultation");

            // The JSON API on the HTTP/1.1 port: the services' own JSON transcoding, in this process.
            using var http = new HttpClient { BaseAddress = host.Web };
            using var json = await http.GetAsync("/v1/teams");
            Assert.Equal(HttpStatusCode.OK, json.StatusCode);
            Assert.Contains("\"actionLineCode\": \"C2\"", (await json.Content.ReadAsStringAsync()).Replace("\":\"", "\": \""));
            using var created = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/stakeholders")
            {
                Content = JsonContent.Create(new { name = "JSON organisation", category = "ACADEMIC_AND_TECHNICAL", countryCode = "SN", contactEmail = "json@example.org" }),
                Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token) },
            });
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            // Errors are problems naming the gRPC status: a malformed id, a missing token, a misspelled field.
            await AssertProblemAsync(await http.GetAsync("/v1/stakeholders/not-an-id"), HttpStatusCode.BadRequest, "INVALID_ARGUMENT", 3);
            await AssertProblemAsync(await http.PostAsJsonAsync("/v1/teams", new { actionLineCode = "C3" }), HttpStatusCode.Unauthorized, "UNAUTHENTICATED", 16);
            var misspelled = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/stakeholders")
            {
                Content = JsonContent.Create(new { name = "X", category = "CIVIL_SOCIETY", countryCode = "FR", contactEmial = "x@example.org" }),
                Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token) },
            });
            Assert.Contains("contactEmial", await AssertProblemAsync(misspelled, HttpStatusCode.BadRequest, "INVALID_ARGUMENT", 3));
            // The API document and its reference page.
            using var document = await http.GetAsync("/openapi/v1.json");
            Assert.Equal(HttpStatusCode.OK, document.StatusCode);
            Assert.Contains("/v1/consultations/{consultationId}/responses", await document.Content.ReadAsStringAsync());
            using var reference = await http.GetAsync("/api-reference/");
            Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
            using var page = await http.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

            await host.StopAsync();
        }

        // Same working directory again: the data and the signing key are still there, nothing is seeded twice.
        await using (var again = await EmbeddedHostProcess.StartAsync(workingDirectory))
        {
            await again.WaitForDemoDataStepAsync();
            Assert.Contains("Demonstration data not created", again.Process.Output());
            var team = Assert.Single((await new Wsis.Teams.V1.Teams.TeamsClient(again.Channel).ListTeamsAsync(new ListTeamsRequest())).Teams, t => t.ActionLineCode == "C2");
            Assert.Equal(teamId, team.Id);
            var stakeholder = await new Stakeholders.StakeholdersClient(again.Channel).RegisterStakeholderAsync(new RegisterStakeholderRequest
            {
                Name = "Second test organisation",
                Category = Wsis.Teams.V1.StakeholderCategory.PrivateSector,
                CountryCode = "JP",
                ContactEmail = "second@example.org",
            }, EmbeddedHostProcess.Bearer(token));
            Assert.NotEmpty(stakeholder.Id);
        }

        output.WriteLine($"embedded host with demonstration data, restarted: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Starts_empty_when_demonstration_data_is_switched_off()
    {
        var clock = Stopwatch.StartNew();
        await using var host = await EmbeddedHostProcess.StartAsync(settings: new Dictionary<string, string> { ["Host__DemoData"] = "false" });
        await host.WaitForDemoDataStepAsync();
        Assert.Contains("Demonstration data skipped", host.Process.Output());

        var teams = new Wsis.Teams.V1.Teams.TeamsClient(host.Channel);
        Assert.NotEmpty((await teams.ListActionLinesAsync(new ListActionLinesRequest())).ActionLines);
        Assert.Empty((await teams.ListTeamsAsync(new ListTeamsRequest())).Teams);
        Assert.Empty((await new Stakeholders.StakeholdersClient(host.Channel).ListStakeholdersAsync(new ListStakeholdersRequest())).Stakeholders);
        Assert.Empty((await new Wsis.Consultations.V1.Consultations.ConsultationsClient(host.Channel).ListConsultationsAsync(new ListConsultationsRequest())).Consultations);
        Assert.Empty((await new Stocktaking.StocktakingClient(host.Channel).ListInventoryAsync(new ListInventoryRequest())).Entries);

        // A write without a token is refused by the service, with the reason.
        var refused = await Assert.ThrowsAsync<RpcException>(() => teams.CreateTeamAsync(new CreateTeamRequest { ActionLineCode = "C1" }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        output.WriteLine($"embedded host without demonstration data: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task With_the_mail_door_on_a_response_e_mailed_by_SMTP_is_published()
    {
        var smtpPort = Testing.FreePort.Next();
        await using var host = await EmbeddedHostProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Host__MailDoor"] = "true",
            ["MailDoor__Address"] = "127.0.0.1",
            ["MailDoor__Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await host.WaitForDemoDataStepAsync();
        await host.Process.WaitUntilListeningAsync(smtpPort, TimeSpan.FromSeconds(30));
        var consultations = new Wsis.Consultations.V1.Consultations.ConsultationsClient(host.Channel);
        var open = (await consultations.ListConsultationsAsync(new ListConsultationsRequest())).Consultations.First(c => c.State == ConsultationState.Open);

        var info = new ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--server", "127.0.0.1", "--port", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--from", "ana@example.org",
                     "--to", open.EmailAddress, "--header", "Subject: By SMTP to the embedded host", "--body", "Sent to the embedded host's SMTP door." })
        {
            info.ArgumentList.Add(a);
        }

        using var swaks = Process.Start(info)!;
        var said = await swaks.StandardOutput.ReadToEndAsync() + await swaks.StandardError.ReadToEndAsync();
        await swaks.WaitForExitAsync();
        Assert.True(swaks.ExitCode == 0, said);
        Assert.Contains("250 2.0.0 stored as", said);

        var responses = (await consultations.ListResponsesAsync(new ListResponsesRequest { ConsultationId = open.Id })).Responses;
        Assert.Contains(responses, r => r.Channel == Channel.Email && r.Text.Contains("Sent to the embedded host's SMTP door."));
    }

    /// <summary>Asserts an RFC 7807 problem with that status, title and gRPC status; returns its detail.</summary>
    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title, int grpcStatus)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = System.Text.Json.JsonDocument.Parse(body);
            Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
            Assert.Equal(grpcStatus, problem.RootElement.GetProperty("grpcStatus").GetInt32());
            return problem.RootElement.GetProperty("detail").GetString()!;
        }
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"no {what} after 30 s");
    }
}
