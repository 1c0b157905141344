using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Wsis.Consultations.V1;
using Wsis.Contracts.Verification;

namespace Wsis.Verify;

/// <summary>
/// <c>wsis-verify record|receipt|consultation …</c>: exit code 0 when every check passed, 1 when
/// one failed, 2 when the question could not be asked (usage, unreadable file, unreachable service).
/// </summary>
public static class VerifyCommand
{
    public const string Usage = """
        wsis-verify record <record file> [--sha256 <hex published hash>] [--address <url> [--key <public key pem file>]]
            the record's SHA-256 and format; with --address also its inclusion in the consultation's latest signed checkpoint
        wsis-verify receipt <receipt json file> [--record <record file>] (--key <public key pem file> | --address <url>)
            the receipt's signed checkpoint and inclusion proof (and the record's hash); with --address also that
            the latest checkpoint extends the receipt's (consistency)
        wsis-verify consultation <consultation id> --address <url> [--key <public key pem file>] [--records]
            rebuilds the log from every listed published hash and compares it with the latest (final, once
            closed) signed checkpoint; --records downloads each record and checks its hash
        <url>: the gateway or the Consultations service (gRPC), e.g. http://localhost:5102
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length < 2)
        {
            error.WriteLine(Usage);
            return 2;
        }

        var options = Options(args.Skip(2).ToArray());
        if (options is null)
        {
            error.WriteLine(Usage);
            return 2;
        }

        var findings = new Findings();
        try
        {
            switch (args[0])
            {
                case "record":
                    await RecordAsync(args[1], options, findings, output);
                    break;
                case "receipt":
                    await ReceiptAsync(args[1], options, findings, output);
                    break;
                case "consultation":
                    await ConsultationAsync(args[1], options, findings, output);
                    break;
                default:
                    error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (UsageException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }
        catch (IOException e)
        {
            error.WriteLine($"cannot read a file: {e.Message}");
            return 2;
        }
        catch (RpcException e)
        {
            error.WriteLine($"the service answered {e.StatusCode}: {e.Status.Detail}");
            return 2;
        }

        findings.WriteTo(output);
        output.WriteLine(findings.AllPassed ? "VERIFIED" : "NOT VERIFIED");
        return findings.AllPassed ? 0 : 1;
    }

    private static async Task RecordAsync(string path, Dictionary<string, string?> options, Findings findings, TextWriter output)
    {
        var content = await File.ReadAllBytesAsync(path);
        var sha256 = LogVerifier.CheckRecord(findings, content, options.GetValueOrDefault("sha256"));
        output.WriteLine($"record {path}: SHA-256 {sha256}");
        if (options.GetValueOrDefault("address") is not { } address)
        {
            return;
        }

        string responseId, consultationId;
        try
        {
            using var json = JsonDocument.Parse(content);
            responseId = json.RootElement.GetProperty("response_id").GetString() ?? "";
            consultationId = json.RootElement.GetProperty("consultation_id").GetString() ?? "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            findings.Check(false, "the record names its response and consultation");
            return;
        }

        using var channel = Channel(address);
        var client = new Consultations.V1.Consultations.ConsultationsClient(channel);
        using var key = await KeyAsync(options, client, findings, output);
        var proof = await client.GetInclusionProofAsync(new GetInclusionProofRequest { ConsultationId = consultationId, ResponseId = responseId });
        findings.Check(string.Equals(proof.PublishedSha256, sha256, StringComparison.OrdinalIgnoreCase), "the log's leaf is this record's SHA-256");
        LogVerifier.CheckInclusion(findings, proof, key);
    }

    private static async Task ReceiptAsync(string path, Dictionary<string, string?> options, Findings findings, TextWriter output)
    {
        var receipt = ReadReceipt(await File.ReadAllTextAsync(path));
        if (receipt.Inclusion is null)
        {
            findings.Check(false, "the receipt carries an inclusion proof (an unpublished e-mail's receipt has none)");
            return;
        }

        findings.Check(receipt.Inclusion.PublishedSha256 == receipt.PublishedSha256 && receipt.Inclusion.ResponseId == receipt.ResponseId,
            "the proof is for the receipt's response and published hash");
        if (options.GetValueOrDefault("record") is { } recordPath)
        {
            LogVerifier.CheckRecord(findings, await File.ReadAllBytesAsync(recordPath), receipt.PublishedSha256);
        }

        using var channel = options.GetValueOrDefault("address") is { } address ? Channel(address) : null;
        var client = channel is null ? null : new Consultations.V1.Consultations.ConsultationsClient(channel);
        using var key = await KeyAsync(options, client, findings, output);
        LogVerifier.CheckInclusion(findings, receipt.Inclusion, key);
        if (client is not null)
        {
            var consistency = await client.GetConsistencyProofAsync(new GetConsistencyProofRequest
            {
                ConsultationId = receipt.Inclusion.ConsultationId,
                OldSize = receipt.Inclusion.TreeSize,
            });
            findings.Check(consistency.OldCheckpoint.Text == receipt.Inclusion.Checkpoint.Text, "the service still has the receipt's checkpoint");
            LogVerifier.CheckConsistency(findings, consistency, key);
        }
    }

    private static async Task ConsultationAsync(string consultationId, Dictionary<string, string?> options, Findings findings, TextWriter output)
    {
        var address = options.GetValueOrDefault("address") ?? throw new UsageException("consultation needs --address <url>");
        using var channel = Channel(address);
        var client = new Consultations.V1.Consultations.ConsultationsClient(channel);
        using var key = await KeyAsync(options, client, findings, output);
        var consultation = await client.GetConsultationAsync(new GetConsultationRequest { Id = consultationId });
        var signed = consultation.FinalCheckpoint ?? await client.GetLogCheckpointAsync(new GetLogCheckpointRequest { ConsultationId = consultationId });
        output.WriteLine($"consultation {consultationId} ({consultation.State}): checking the {(consultation.FinalCheckpoint is null ? "latest" : "final")} checkpoint");
        var checkpoint = LogVerifier.CheckCheckpoint(findings, signed, key, consultationId);
        if (checkpoint is null)
        {
            return;
        }

        if (consultation.FinalCheckpoint is not null)
        {
            findings.Check(consultation.ResponsesDigest == Convert.ToHexStringLower(checkpoint.Root) && consultation.PublishedResponseCount == checkpoint.Size,
                "the consultation's digest and count are the final checkpoint's root and size");
        }

        var leaves = new List<(long, string)>();
        var ids = new List<(string Id, string Sha256)>();
        var page = "";
        do
        {
            var listed = await client.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultationId, PageSize = 500, PageToken = page });
            foreach (var r in listed.Responses.Where(r => r.Published && r.LeafIndex >= 0 && r.LeafIndex < checkpoint.Size))
            {
                leaves.Add((r.LeafIndex, r.PublishedSha256));
                ids.Add((r.Id, r.PublishedSha256));
            }

            page = listed.NextPageToken;
        }
        while (page.Length > 0);

        LogVerifier.CheckLeaves(findings, leaves, checkpoint);
        if (options.ContainsKey("records"))
        {
            var bad = 0;
            foreach (var (id, sha256) in ids)
            {
                var record = await client.GetPublishedRecordAsync(new GetPublishedRecordRequest { ResponseId = id });
                var check = new Findings();
                LogVerifier.CheckRecord(check, record.Content.Span, sha256);
                if (!check.AllPassed)
                {
                    bad++;
                    check.WriteTo(output);
                }
            }

            findings.Check(bad == 0, $"{ids.Count - bad} of {ids.Count} downloaded records have their listed published hash");
        }
    }

    /// <summary>The key from --key (pinned), else the service's; when both, they must agree.</summary>
    private static async Task<ECDsa> KeyAsync(Dictionary<string, string?> options, Consultations.V1.Consultations.ConsultationsClient? client, Findings findings, TextWriter output)
    {
        var key = ECDsa.Create();
        if (options.GetValueOrDefault("key") is { } pemFile)
        {
            try
            {
                key.ImportFromPem(await File.ReadAllTextAsync(pemFile));
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw new UsageException($"{pemFile} holds no public key in PEM form");
            }

            if (client is not null)
            {
                var published = await client.GetLogPublicKeyAsync(new GetLogPublicKeyRequest());
                findings.Check(published.KeyId == Checkpoint.KeyId(key), $"the service publishes the pinned key {Checkpoint.KeyId(key)}");
            }

            return key;
        }

        if (client is null)
        {
            throw new UsageException("give the public key (--key <pem file>) or the service's address (--address <url>)");
        }

        var served = await client.GetLogPublicKeyAsync(new GetLogPublicKeyRequest());
        key.ImportFromPem(served.PublicKeyPem);
        output.WriteLine($"key {served.KeyId} as the service publishes it (pin it with --key to check against a copy you hold)");
        return key;
    }

    private static Receipt ReadReceipt(string json)
    {
        var parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
        try
        {
            // A receipt as SubmitResponse returns it, or IngestEmail's / AssignResponse's answer holding one.
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("receipt", out var inner)
                ? parser.Parse<Receipt>(inner.GetRawText())
                : parser.Parse<Receipt>(json);
        }
        catch (Exception e) when (e is JsonException or InvalidProtocolBufferException or InvalidJsonException)
        {
            throw new UsageException($"the receipt file is not a receipt in JSON ({e.GetType().Name})");
        }
    }

    private static GrpcChannel Channel(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? GrpcChannel.ForAddress(uri, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 })
            : throw new UsageException($"--address {address} is not an http(s) URL");

    private static Dictionary<string, string?>? Options(string[] args)
    {
        var options = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                return null;
            }

            var name = args[i][2..];
            if (name == "records")
            {
                options[name] = null;
            }
            else if (i + 1 < args.Length && name is "sha256" or "address" or "key" or "record")
            {
                options[name] = args[++i];
            }
            else
            {
                return null;
            }
        }

        return options;
    }

    private sealed class UsageException(string message) : Exception(message);
}
