using System.Text;
using System.Text.Json.Nodes;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Google.Protobuf;
using Microsoft.Playwright;
using Wsis.Consultations.V1;

namespace Host.Tests;

/// <summary>The embedded host (real services, real log and key) with a web response carrying an
/// attachment and an e-mail response, and Debian's chromium reading their pages.</summary>
public sealed class VerificationHostFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    internal EmbeddedHostProcess Host { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Receipt Web { get; private set; } = null!;
    public Receipt Email { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), "chromium missing: run scripts/install-test-deps.sh");
        Host = await EmbeddedHostProcess.StartAsync();
        await Host.WaitForDemoDataStepAsync();
        var consultations = new Consultations.ConsultationsClient(Host.Channel);
        var open = (await consultations.ListConsultationsAsync(new ListConsultationsRequest { State = ConsultationState.Open, PageSize = 50 }))
            .Consultations.First(c => c.Title == "Meaningful connectivity (demonstration)");
        Web = await consultations.SubmitResponseAsync(new SubmitResponseRequest
        {
            ConsultationId = open.Id,
            Respondent = new Respondent { Name = "Ada Verifier", Organisation = "Checks & Balances", Category = RespondentCategory.CivilSociety, CountryCode = "SN" },
            Text = "Every response should be checkable by anyone. Ça va de soi.",
            Attachments = { new AttachmentUpload { FileName = "annex.txt", MediaType = "text/plain", Content = ByteString.CopyFromUtf8("An annex, byte for byte.\n") } },
        });
        var token = await Host.DevelopmentTokenAsync(new { sub = "test-secretariat", name = "Test", roles = new[] { "secretariat" } });
        var message = "From: Grace <grace@example.org>\r\nTo: " + open.EmailAddress + "\r\nSubject: Response by mail\r\nMessage-ID: <verify-page@example.org>\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\nSent by mail, unsigned.\r\n";
        Email = (await consultations.IngestEmailAsync(new IngestEmailRequest
        {
            RawMessage = ByteString.CopyFromUtf8(message),
            Channel = Channel.Email,
            EnvelopeRecipient = open.EmailAddress,
        }, EmbeddedHostProcess.Bearer(token))).Receipt;

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task<IPage> NewPageAsync(string locale = "en-GB", bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.Web.ToString(),
            Locale = locale,
            JavaScriptEnabled = javaScript,
        });
        return await context.NewPageAsync();
    }

    /// <summary>Saved under artifacts/screenshots at the repository root, as the gateway's browser tests save theirs.</summary>
    public Task ScreenshotAsync(IPage page, string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
        {
            dir = dir.Parent;
        }
        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>
/// The response page checks its own published record in the reader's browser (Web Crypto): the
/// record's hash, its attachments, its inclusion proof and the checkpoint's signature, each failure
/// named by its step; the outcome in words in a live region, English and French.
/// </summary>
public sealed class ResponseVerificationInTheBrowserTests(VerificationHostFixture f) : IClassFixture<VerificationHostFixture>
{
    private static async Task<(string Outcome, string Text)> OutcomeAsync(IPage page)
    {
        var result = page.GetByTestId("verification");
        await page.WaitForFunctionAsync(
            "() => { const o = document.getElementById('verification-result').dataset.outcome; return o && o !== 'not-run'; }",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        return (await result.GetAttributeAsync("data-outcome") ?? "", await result.InnerTextAsync());
    }

    [Fact]
    public async Task A_genuine_response_is_verified_in_the_browser_with_its_attachment_and_the_page_passes_axe()
    {
        var page = await f.NewPageAsync();
        await page.GotoAsync("/responses/" + f.Web.ResponseId);
        Assert.Equal(f.Web.PublishedSha256, await page.GetByTestId("published-sha256").InnerTextAsync());

        var (outcome, text) = await OutcomeAsync(page);

        Assert.Equal("verified", outcome);
        var leaf = f.Web.Inclusion.LeafIndex;
        Assert.Contains($"Verified in your browser: this record is entry {leaf + 1} of the consultation's log (leaf index {leaf}), in the signed checkpoint of size ", text);
        Assert.Contains($"(key {f.Web.Inclusion.Checkpoint.KeyId})", text);
        Assert.Contains("Its 1 attachment(s) match the hashes the record lists.", text);
        await f.ScreenshotAsync(page, "response-verified-in-the-browser");
        Assert.Equal("polite", await page.GetByTestId("verification").GetAttributeAsync("aria-live"));

        var axe = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        }).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(axe.Violations.Length == 0, string.Join("\n", axe.Violations.SelectMany(v => v.Nodes.Select(n => $"{v.Id} ({v.Help}) at {n.Html}"))));
    }

    [Fact]
    public async Task A_french_reader_is_told_in_french_and_an_e_mail_response_shows_its_dkim_outcome()
    {
        var page = await f.NewPageAsync("fr-FR");
        await page.GotoAsync("/responses/" + f.Email.ResponseId);

        var (outcome, text) = await OutcomeAsync(page);

        Assert.Equal("verified", outcome);
        Assert.StartsWith("Vérifié dans votre navigateur : cet enregistrement est l'entrée ", text);
        Assert.Contains("Aucune : le message ne porte pas de signature DKIM", await page.GetByTestId("dkim").InnerTextAsync());
        await f.ScreenshotAsync(page, "response-e-mail-verified-fr");
        var axe = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        }).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(axe.Violations.Length == 0, string.Join("\n", axe.Violations.SelectMany(v => v.Nodes.Select(n => $"{v.Id} ({v.Help}) at {n.Html}"))));
    }

    [Fact]
    public async Task A_record_altered_by_one_byte_on_its_way_fails_at_the_hash_step()
    {
        var page = await f.NewPageAsync();
        await page.RouteAsync("**/record.json", async route =>
        {
            var genuine = await route.FetchAsync();
            var bytes = await genuine.BodyAsync();
            var text = Encoding.UTF8.GetString(bytes);
            var at = Encoding.UTF8.GetByteCount(text[..text.IndexOf("Every response", StringComparison.Ordinal)]);
            bytes[at] = (byte)'e'; // "Every response" → "every response": one byte changed
            await route.FulfillAsync(new RouteFulfillOptions { Response = genuine, BodyBytes = bytes });
        });
        await page.GotoAsync("/responses/" + f.Web.ResponseId);

        var (outcome, text) = await OutcomeAsync(page);

        Assert.Equal("hash", outcome);
        await f.ScreenshotAsync(page, "response-verification-hash-failure");
        Assert.StartsWith("Verification failed at step 1: the downloaded record's SHA-256 is ", text);
        Assert.Contains($"not the published hash {f.Web.PublishedSha256} shown on this page.", text);
    }

    [Fact]
    public async Task A_checkpoint_whose_signature_was_changed_fails_at_the_signature_step()
    {
        var page = await f.NewPageAsync();
        await page.RouteAsync("**/log/inclusion/**", async route =>
        {
            var genuine = await route.FetchAsync();
            var proof = JsonNode.Parse(await genuine.TextAsync())!;
            var signature = Convert.FromBase64String((string)proof["checkpoint"]!["signature"]!);
            signature[10] ^= 0x01;
            proof["checkpoint"]!["signature"] = Convert.ToBase64String(signature);
            await route.FulfillAsync(new RouteFulfillOptions { Response = genuine, Body = proof.ToJsonString() });
        });
        await page.GotoAsync("/responses/" + f.Web.ResponseId);

        var (outcome, text) = await OutcomeAsync(page);

        Assert.Equal("signature", outcome);
        Assert.StartsWith("Verification failed at step 4: the checkpoint's signature does not verify with the log's public key", text);
    }

    [Fact]
    public async Task A_proof_that_leads_elsewhere_fails_at_the_inclusion_step()
    {
        var page = await f.NewPageAsync();
        await page.RouteAsync("**/log/inclusion/**", async route =>
        {
            var genuine = await route.FetchAsync();
            var proof = JsonNode.Parse(await genuine.TextAsync())!;
            // Another leaf's place: the same path no longer leads to the signed root.
            var leaf = long.Parse(proof["leafIndex"]?.ToString() ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            proof["leafIndex"] = (leaf ^ 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await route.FulfillAsync(new RouteFulfillOptions { Response = genuine, Body = proof.ToJsonString() });
        });
        await page.GotoAsync("/responses/" + f.Web.ResponseId);

        var (outcome, text) = await OutcomeAsync(page);

        Assert.Equal("inclusion", outcome);
        Assert.StartsWith("Verification failed at step 3: the inclusion proof does not lead from this record to the checkpoint's root.", text);
    }

    [Fact]
    public async Task Without_script_the_page_still_shows_the_response_and_says_verification_could_not_run()
    {
        var page = await f.NewPageAsync(javaScript: false);
        await page.GotoAsync("/responses/" + f.Web.ResponseId);

        Assert.Equal(f.Web.PublishedSha256, await page.GetByTestId("published-sha256").InnerTextAsync());
        Assert.Contains("Every response should be checkable by anyone.", await page.Locator("pre.response-text").InnerTextAsync());
        Assert.Equal("Verification in your browser could not run: it needs JavaScript and Web Crypto. You can verify with the steps below.",
            await page.GetByTestId("verification").InnerTextAsync());
    }
}
