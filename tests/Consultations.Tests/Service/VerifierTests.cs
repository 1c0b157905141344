using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Wsis.Consultations.V1;
using Wsis.Contracts.Verification;
using Wsis.Verify;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

/// <summary>tools/Verify (wsis-verify) against the running service, and the independent Python verifier on what the service produced.</summary>
public class VerifierTests
{
    private static async Task<(int Code, string Output)> VerifyAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await VerifyCommand.RunAsync(args, output, error);
        return (code, output + error.ToString());
    }

    private static string Save(string folder, string name, byte[] content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public async Task The_verifier_accepts_a_genuine_record_receipt_and_consultation_and_rejects_a_tampered_record_or_proof()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var receipts = new List<Receipt>();
        for (var i = 0; i < 6; i++)
        {
            receipts.Add(await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, $"Answer {i}: affordable access.")));
        }

        var folder = Directory.CreateTempSubdirectory("wsis-verify-").FullName;
        var key = await host.Anonymous.GetLogPublicKeyAsync(new GetLogPublicKeyRequest());
        var keyFile = Save(folder, "key.pem", System.Text.Encoding.ASCII.GetBytes(key.PublicKeyPem));
        var receipt = receipts[2];
        var receiptFile = Save(folder, "receipt.json", System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(receipt)));
        var record = (await host.Anonymous.GetPublishedRecordAsync(new GetPublishedRecordRequest { ResponseId = receipt.ResponseId })).Content.ToByteArray();
        var recordFile = Save(folder, "record.json", record);

        var (code, output) = await VerifyAsync("receipt", receiptFile, "--record", recordFile, "--key", keyFile);
        Assert.True(code == 0, output);
        (code, output) = await VerifyAsync("receipt", receiptFile, "--address", host.Address, "--key", keyFile);
        Assert.True(code == 0, output);
        Assert.Contains("is a prefix of the log of size 6", output);
        (code, output) = await VerifyAsync("record", recordFile, "--sha256", receipt.PublishedSha256, "--address", host.Address);
        Assert.True(code == 0, output);
        (code, output) = await VerifyAsync("consultation", consultation.Id, "--address", host.Address, "--key", keyFile, "--records");
        Assert.True(code == 0, output);

        // One character of the text changed: the record is no longer the one the log holds.
        var edited = (byte[])record.Clone();
        edited[edited.AsSpan().IndexOf("Answer 2"u8)] = (byte)'a';
        var editedFile = Save(folder, "edited.json", edited);
        (code, output) = await VerifyAsync("receipt", receiptFile, "--record", editedFile, "--key", keyFile);
        Assert.Equal(1, code);
        Assert.Contains("FAIL record SHA-256", output);
        (code, output) = await VerifyAsync("record", editedFile, "--address", host.Address);
        Assert.Equal(1, code);
        Assert.True(output.Contains("FAIL the log's leaf is this record's SHA-256", StringComparison.Ordinal), output);

        // One byte of the audit path changed: the proof no longer leads to the signed root.
        var forged = receipt.Clone();
        var step = forged.Inclusion.Path[0].ToByteArray();
        step[0] ^= 1;
        forged.Inclusion.Path[0] = ByteString.CopyFrom(step);
        (code, output) = await VerifyAsync("receipt", Save(folder, "forged.json", System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(forged))), "--key", keyFile);
        Assert.Equal(1, code);
        Assert.Contains($"FAIL response {receipt.ResponseId} is leaf", output);

        // A checkpoint whose text was changed (a larger size) no longer carries a valid signature.
        var resized = receipt.Clone();
        resized.Inclusion.Checkpoint.Text = resized.Inclusion.Checkpoint.Text.Replace("\n3\n", "\n4\n", StringComparison.Ordinal);
        (code, output) = await VerifyAsync("receipt", Save(folder, "resized.json", System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(resized))), "--key", keyFile);
        Assert.Equal(1, code);
        Assert.Contains("FAIL checkpoint of size 4 is signed", output);

        // Another key: nothing verifies.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        (code, output) = await VerifyAsync("receipt", receiptFile, "--key", Save(folder, "other.pem", System.Text.Encoding.ASCII.GetBytes(other.ExportSubjectPublicKeyInfoPem())));
        Assert.Equal(1, code);

        Assert.Equal(2, (await VerifyAsync("receipt", Path.Combine(folder, "missing.json"), "--key", keyFile)).Code);
        Assert.Equal(2, (await VerifyAsync("consultation", consultation.Id)).Code);
    }

    [Fact]
    public void A_dropped_an_altered_or_a_reordered_response_changes_the_rebuilt_root()
    {
        var published = Enumerable.Range(0, 9).Select(i => Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)))).ToList();
        var checkpoint = new Checkpoint(Guid.NewGuid().ToString(), 9, MerkleLog.Root([.. published.Select(h => MerkleLog.LeafHash(Convert.FromHexString(h)))]), DateTimeOffset.UtcNow);
        List<(long, string)> Leaves(IEnumerable<string> hashes) => [.. hashes.Select((h, i) => ((long)i, h))];

        Assert.True(LogVerifier.CheckLeaves(new Findings(), Leaves(published), checkpoint));

        var dropped = new Findings();
        Assert.False(LogVerifier.CheckLeaves(dropped, Leaves(published.Where((_, i) => i != 4)), checkpoint));
        Assert.Contains(dropped.Checks, c => !c.Ok && c.What.Contains("8 listed responses", StringComparison.Ordinal));

        var swapped = published.ToList();
        (swapped[2], swapped[3]) = (swapped[3], swapped[2]);
        Assert.False(LogVerifier.CheckLeaves(new Findings(), Leaves(swapped), checkpoint));

        var altered = published.ToList();
        altered[8] = Convert.ToHexStringLower(SHA256.HashData("edited"u8));
        Assert.False(LogVerifier.CheckLeaves(new Findings(), Leaves(altered), checkpoint));
    }

    [Fact]
    public async Task Python_with_hashlib_and_cryptography_accepts_the_services_records_proofs_and_signatures()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var receipts = new List<Receipt>();
        for (var batch = 0; batch < 4; batch++)
        {
            receipts.AddRange(await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
                host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, $"Batch {batch}, answer {i}: «quoted» \"text\"\n\ttabbed \u0001 🌍")).ResponseAsync)));
        }

        var raw = MailMessageReaderTests.Corpus("windows-1252-qp.eml");
        var mail = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(raw), Channel = Channel.Email, EnvelopeRecipient = consultation.EmailAddress });
        receipts.Add(mail.Receipt);
        host.Clock.Now = ConsultationsServiceTests.Deadline;
        await host.CloseDueAsync();
        var closed = await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id });
        var listed = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 100 });
        var final = closed.FinalCheckpoint;

        var checkpoints = receipts.Select(r => r.Inclusion.Checkpoint).Append(final).DistinctBy(c => c.TreeSize).ToList();
        var consistency = new List<object>();
        foreach (var c in checkpoints.Where(c => c.TreeSize < final.TreeSize))
        {
            var proof = await host.Anonymous.GetConsistencyProofAsync(new GetConsistencyProofRequest { ConsultationId = consultation.Id, OldSize = c.TreeSize });
            consistency.Add(new { old_size = proof.OldSize, new_size = proof.NewSize, proof = proof.Proof.Select(p => p.ToBase64()).ToList() });
        }

        var records = new List<object>();
        var contents = new List<string>();
        foreach (var r in listed.Responses)
        {
            var record = await host.Anonymous.GetPublishedRecordAsync(new GetPublishedRecordRequest { ResponseId = r.Id });
            contents.Add(record.Content.ToBase64());
            records.Add(new { content_b64 = contents[^1], published_sha256 = r.PublishedSha256 });
        }

        var document = new
        {
            public_key_pem = (await host.Anonymous.GetLogPublicKeyAsync(new GetLogPublicKeyRequest())).PublicKeyPem,
            leaves = listed.Responses.OrderBy(r => r.LeafIndex).Select(r => r.PublishedSha256).ToList(),
            checkpoints = checkpoints.Select(c => new { text = c.Text, signature = c.Signature.ToBase64() }).ToList(),
            inclusion = receipts.Select(r => new { published_sha256 = r.PublishedSha256, index = r.Inclusion.LeafIndex, size = r.Inclusion.TreeSize, path = r.Inclusion.Path.Select(p => p.ToBase64()).ToList() }).ToList(),
            consistency,
            records,
        };

        var (code, output) = await RunPythonAsync(JsonSerializer.Serialize(document));
        Assert.True(code == 0, output);
        var oks = output.Split('\n').Count(l => l.StartsWith("OK ", StringComparison.Ordinal));
        Assert.Equal(checkpoints.Count + 1 + receipts.Count + consistency.Count + 2 * records.Count, oks);

        // The same document with one record's byte changed: Python catches it.
        var tampered = JsonSerializer.Serialize(document).Replace(contents[3], Convert.ToBase64String("{\"format\":\"wsis-published-response/1\"}"u8.ToArray()), StringComparison.Ordinal);
        (code, output) = await RunPythonAsync(tampered);
        Assert.Equal(1, code);
        Assert.Contains("FAIL record hash", output);
    }

    private static async Task<(int, string)> RunPythonAsync(string json)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, json);
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", "verify_log.py"));
            info.ArgumentList.Add(file);
            using var process = System.Diagnostics.Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
