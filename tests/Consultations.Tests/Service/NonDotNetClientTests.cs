using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Platform.Domain;
using Platform.Security;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

/// <summary>The service from clients that are not this project's code: Python grpcio and the mail tool.</summary>
public class NonDotNetClientTests
{
    [Fact]
    public async Task A_python_grpcio_client_runs_a_consultation_flow()
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "python3 is missing: run scripts/install-test-deps.sh (python3-grpcio, python3-protobuf)");
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var folder = Directory.CreateTempSubdirectory("consultations-python-").FullName;
        var descriptors = Path.Combine(folder, "consultations.pb");
        await File.WriteAllBytesAsync(descriptors, DescriptorSet(V1.ConsultationsReflection.Descriptor));

        var (exit, output) = await RunAsync(python,
            [
                Path.Combine(AppContext.BaseDirectory, "python", "consultations_flow.py"),
                new Uri(host.Address).Authority,
                descriptors,
                host.Token("secretariat-py", Role.Secretariat),
                host.Token("ms-py", Role.MemberState, "GH"),
                Path.Combine(AppContext.BaseDirectory, "Mail", "gmail-alternative-utf8.eml"),
            ]);

        Assert.True(exit == 0, output);
        Assert.EndsWith("OK", output.Trim());
    }

    [Fact]
    public async Task The_mail_tool_delivers_a_piped_message_once_and_asks_the_mail_server_to_retry_when_the_service_is_down()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var folder = Directory.CreateTempSubdirectory("consultations-mail-").FullName;
        var tokenFile = Path.Combine(folder, "token");
        await File.WriteAllTextAsync(tokenFile, host.Token("mail-gateway", Role.Secretariat));
        // The tool is built with the tests (a build-only project reference), in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var tool = Path.Combine(RepositoryRoot(), "tools", "MailIngest", "bin", configuration, "net10.0", "wsis-mail-ingest.dll");
        Assert.True(File.Exists(tool), $"build tools/MailIngest first ({tool})");
        var eml = Path.Combine(AppContext.BaseDirectory, "Mail", "thunderbird-flowed-rfc2231.eml");
        string[] Args(string address) => [tool, "--address", address, "--recipient", consultation.EmailAddress, "--token-file", tokenFile];

        var (exit, output) = await RunAsync("dotnet", Args(host.Address), eml);
        var (exitAgain, outputAgain) = await RunAsync("dotnet", Args(host.Address), eml);

        Assert.True(exit == 0, output);
        Assert.True(output.StartsWith("PUBLISHED CWG-27-", StringComparison.Ordinal), output);
        Assert.Equal(output, outputAgain); // a redelivery is the same response, stored once
        Assert.Equal(0, exitAgain);
        var listed = await host.Anonymous.ListResponsesAsync(new V1.ListResponsesRequest { ConsultationId = consultation.Id });
        Assert.Equal("Réponse de la Société numérique suisse.pdf", Assert.Single(Assert.Single(listed.Responses).Attachments).FileName);

        var port = Testing.FreePort.Next();
        var (down, _) = await RunAsync("dotnet", Args($"http://127.0.0.1:{port}"), eml);
        Assert.Equal(75, down); // EX_TEMPFAIL: Postfix keeps the message and retries
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Microservices.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above the test folder");
    }

    /// <summary>A FileDescriptorSet (field 1: repeated FileDescriptorProto) of a file and its imports.</summary>
    private static byte[] DescriptorSet(FileDescriptor file)
    {
        var ordered = new List<FileDescriptor>();
        void Visit(FileDescriptor f)
        {
            foreach (var dependency in f.Dependencies)
            {
                Visit(dependency);
            }

            if (!ordered.Contains(f))
            {
                ordered.Add(f);
            }
        }

        Visit(file);
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        foreach (var f in ordered)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(f.SerializedData);
        }

        output.Flush();
        return stream.ToArray();
    }

    private static async Task<(int Exit, string Output)> RunAsync(string command, IEnumerable<string> arguments, string? stdinFile = null)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdinFile is not null };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (stdinFile is not null)
        {
            await using (var input = File.OpenRead(stdinFile))
            {
                await input.CopyToAsync(process.StandardInput.BaseStream);
            }

            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
