using System.Diagnostics;
using System.Text.Json;

namespace Wsis.Teams.Tests.Api;

/// <summary>A partner's client that is not .NET: @grpc/grpc-js loading contracts/Protos at run time.</summary>
public sealed class GrpcJsPartnerTests(TeamsApiFixture fixture) : IClassFixture<TeamsApiFixture>
{
    /// <summary>The googleapis protos the contracts import (google/api/annotations.proto for the JSON routes), as a partner gets them from googleapis.</summary>
    private static string GoogleApiProtos()
    {
        var folder = typeof(GrpcJsPartnerTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "GoogleApiProtos").Value;
        if (string.IsNullOrEmpty(folder) || !File.Exists(Path.Combine(folder, "google", "api", "annotations.proto")))
            throw new InvalidOperationException($"google/api/annotations.proto not found under '{folder}' (the Google.Api.CommonProtos package)");
        return folder;
    }

    [Fact]
    public async Task A_grpc_js_client_registers_creates_and_joins_using_the_proto_files()
    {
        var repository = FindRepositoryRoot();
        var nodeFolder = Path.Combine(repository, "tests", "Teams.Tests", "node");
        if (!Directory.Exists(Path.Combine(nodeFolder, "node_modules", "@grpc", "grpc-js")))
            throw new InvalidOperationException("@grpc/grpc-js is not installed in tests/Teams.Tests/node: run scripts/install-test-deps.sh (it runs npm ci there)");

        var address = new Uri(fixture.Service.Address);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = nodeFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("partner-flow.js");
        start.ArgumentList.Add($"127.0.0.1:{address.Port}");
        start.ArgumentList.Add(Path.Combine(repository, "contracts", "Protos"));
        start.ArgumentList.Add(fixture.Service.Token("partner-secretariat", "secretariat"));
        start.ArgumentList.Add(GoogleApiProtos());
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, "node failed: " + await errors);

        using var seen = JsonDocument.Parse(await output);
        var root = seen.RootElement;
        Assert.Equal(19, root.GetProperty("actionLineCodes").GetArrayLength());
        var registeredId = root.GetProperty("registered").GetProperty("id").GetString();
        Assert.Equal("CIVIL_SOCIETY", root.GetProperty("registered").GetProperty("category").GetString());
        Assert.Equal(registeredId, root.GetProperty("registeredAgainId").GetString());
        Assert.Equal("C9", root.GetProperty("team").GetProperty("action_line_code").GetString());
        Assert.Equal("Media", root.GetProperty("team").GetProperty("action_line_title").GetString());
        Assert.Equal(6, root.GetProperty("secondCreate").GetProperty("code").GetInt32()); // ALREADY_EXISTS
        Assert.Equal(16, root.GetProperty("anonymousJoin").GetProperty("code").GetInt32()); // UNAUTHENTICATED
        Assert.Equal(3, root.GetProperty("badJoin").GetProperty("code").GetInt32()); // INVALID_ARGUMENT
        Assert.Equal("team_id is not a valid id", root.GetProperty("badJoin").GetProperty("details").GetString());
        var member = Assert.Single(root.GetProperty("fetched").GetProperty("members").EnumerateArray());
        Assert.Equal(registeredId, member.GetProperty("stakeholder_id").GetString());
        Assert.Equal("Partner Civil Society Network", member.GetProperty("stakeholder_name").GetString());
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("Microservices.sln not found above " + AppContext.BaseDirectory);
    }
}
