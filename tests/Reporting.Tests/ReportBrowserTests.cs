using System.Buffers.Binary;
using System.Diagnostics;
using NodaTime.Extensions;
using Wsis.Reporting.Model;
using Xunit;
using Xunit.Abstractions;

namespace Wsis.Reporting.Tests;

/// <summary>
/// A compiled report opened in a real browser (headless Chromium): it renders, and the screenshot
/// is kept under artifacts/reporting/ for a person to look at.
/// </summary>
public class ReportBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task A_compiled_report_renders_in_headless_chromium_and_is_saved_as_a_screenshot()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException("Chromium is missing: install the Debian package 'chromium' (scripts/install-test-deps.sh).");

        var data = StocktakingDataSet.Build();
        var document = ReportCompiler.Compile(data.Sources, new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToInstant(),
            new DateTimeOffset(2026, 1, 20, 8, 0, 0, TimeSpan.Zero).ToInstant());
        var report = Report.Draft(Guid.NewGuid(), document, "chair");
        report.Submit(Refusals.Coordinator(data.Chair), data.Officers, new DateTimeOffset(2026, 1, 21, 8, 0, 0, TimeSpan.Zero).ToInstant());

        var folder = Path.Combine(RepositoryRoot(), "artifacts", "reporting");
        Directory.CreateDirectory(folder);
        var html = Path.Combine(folder, "report.html");
        var png = Path.Combine(folder, "report.png");
        await File.WriteAllTextAsync(html, ReportRenderer.Html(document, report.Seal));
        File.Delete(png);

        var profile = Directory.CreateTempSubdirectory("reporting-chromium-");
        try
        {
            var (exit, log) = await Run(Chromium,
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--user-data-dir={profile.FullName}",
                "--window-size=1200,2400", $"--screenshot={png}", new Uri(html).AbsoluteUri);
            Assert.True(exit == 0 && File.Exists(png), $"chromium exited {exit}: {log}");
        }
        finally
        {
            profile.Delete(recursive: true);
        }

        var bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4))); // IHDR width
        Assert.Equal(2400, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4))); // IHDR height
        // A blank page compresses to a few kilobytes; text, tables and charts do not.
        Assert.True(bytes.Length > 40_000, $"the screenshot is suspiciously small ({bytes.Length} bytes)");
        output.WriteLine($"Screenshot: {png}");
    }

    private static async Task<(int Exit, string Log)> Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var log = (await stdout + await stderr).Trim();
        return (process.ExitCode, log.Length > 2000 ? log[^2000..] : log);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microservices.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above the test folder.");
    }
}
