using System.Net;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Testing;
using Grpc.Core;
using Wsis.Consultations.V1;
using Wsis.Contracts.Verification;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

/// <summary>Published records and the signed log through the public API, as anyone checking them would.</summary>
public class PublishedLogTests
{
    internal static ECDsa PublicKey(LogPublicKey key)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(key.PublicKeyPem);
        return ecdsa;
    }

    internal static bool Signed(SignedCheckpoint signed, ECDsa key) =>
        Checkpoint.Parse(signed.Text) is { } checkpoint && checkpoint.Verify(key, signed.Signature.Span)
        && checkpoint.Size == signed.TreeSize && checkpoint.Root.AsSpan().SequenceEqual(signed.RootHash.Span);

    internal static bool Includes(InclusionProof proof) =>
        MerkleLog.VerifyInclusion(MerkleLog.LeafHash(Convert.FromHexString(proof.PublishedSha256)), proof.LeafIndex, proof.TreeSize,
            [.. proof.Path.Select(p => p.ToByteArray())], Checkpoint.Parse(proof.Checkpoint.Text)!.Root);

    [Fact]
    public async Task A_receipt_proves_its_published_record_is_in_the_signed_log_and_every_later_checkpoint_extends_it_up_to_the_final_one()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var key = await host.Anonymous.GetLogPublicKeyAsync(new GetLogPublicKeyRequest());
        using var publicKey = PublicKey(key);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", key.PublicKeyPem);
        Assert.Equal(Checkpoint.KeyId(publicKey), key.KeyId);

        var first = await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, "The first answer.",
            new AttachmentUpload { FileName = "a.txt", MediaType = "text/plain", Content = ByteString.CopyFromUtf8("attached") }));
        var record = await host.Anonymous.GetPublishedRecordAsync(new GetPublishedRecordRequest { ResponseId = first.ResponseId });

        // The received hash is over the request; the published hash over the record anyone downloads.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(record.Content.Span)), first.PublishedSha256);
        Assert.Equal(first.PublishedSha256, record.Sha256);
        Assert.NotEqual(first.Sha256, first.PublishedSha256);
        Assert.DoesNotContain("amina@example.sn", record.Content.ToStringUtf8());
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData("attached"u8)), record.Content.ToStringUtf8());
        Assert.Equal((0L, 1L), (first.Inclusion.LeafIndex, first.Inclusion.TreeSize));
        Assert.True(Signed(first.Inclusion.Checkpoint, publicKey));
        Assert.True(Includes(first.Inclusion));
        Assert.Equal(key.KeyId, first.Inclusion.Checkpoint.KeyId);

        var more = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, $"Answer {i}.")).ResponseAsync));
        Assert.All(more, r => Assert.True(Includes(r.Inclusion) && Signed(r.Inclusion.Checkpoint, publicKey)));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), more.Select(r => r.Inclusion.LeafIndex).Order());

        var latest = await host.Anonymous.GetLogCheckpointAsync(new GetLogCheckpointRequest { ConsultationId = consultation.Id });
        Assert.Equal(31, latest.TreeSize);
        Assert.True(Signed(latest, publicKey));
        var now = await host.Anonymous.GetInclusionProofAsync(new GetInclusionProofRequest { ConsultationId = consultation.Id, ResponseId = first.ResponseId });
        Assert.Equal(31, now.TreeSize);
        Assert.True(Includes(now));
        var consistency = await host.Anonymous.GetConsistencyProofAsync(new GetConsistencyProofRequest { ConsultationId = consultation.Id, OldSize = 1 });
        Assert.True(MerkleLog.VerifyConsistency(1, 31, [.. consistency.Proof.Select(p => p.ToByteArray())],
            consistency.OldCheckpoint.RootHash.Span, consistency.NewCheckpoint.RootHash.Span));
        Assert.Equal(first.Inclusion.Checkpoint, consistency.OldCheckpoint);

        host.Clock.Now = ConsultationsServiceTests.Deadline;
        Assert.Equal(1, await host.CloseDueAsync());
        var closed = await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id });
        Assert.Equal(latest, closed.FinalCheckpoint);
        Assert.Equal(Convert.ToHexStringLower(latest.RootHash.Span), closed.ResponsesDigest);
        Assert.Equal(31, closed.PublishedResponseCount);
        var listed = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 100 });
        Assert.Equal(closed.ResponsesDigest, LogRecipe.Digest(listed.Responses));
    }

    [Fact]
    public async Task Two_instances_writing_to_one_consultation_at_once_give_each_response_its_own_leaf_and_every_receipt_verifies()
    {
        // Each instance's batches insert their responses before they lock the log head (IntakeWriter):
        // four writers in two processes interleave there, and the log must still be one sequence.
        var database = await (await SharedPostgres.GetAsync()).CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["Consultations:Intake:Writers"] = "2", ["Consultations:Intake:MaxBatch"] = "16" };
        await using var one = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10, database, settings);
        await using var two = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10, database, settings);
        var consultation = await ConsultationsServiceTests.OpenAsync(one);
        using var publicKey = PublicKey(await two.Anonymous.GetLogPublicKeyAsync(new GetLogPublicKeyRequest()));

        var receipts = await Task.WhenAll(Enumerable.Range(0, 240).Select(i =>
            (i % 2 == 0 ? one : two).Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, $"Answer {i}.")).ResponseAsync));

        Assert.Equal(Enumerable.Range(0, 240).Select(i => (long)i), receipts.Select(r => r.Inclusion.LeafIndex).Order());
        Assert.All(receipts, r => Assert.True(Includes(r.Inclusion) && Signed(r.Inclusion.Checkpoint, publicKey)));
        var listed = await two.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 500 });
        Assert.Equal(
            receipts.Select(r => (r.ResponseId, r.Inclusion.LeafIndex)).Order(),
            listed.Responses.Select(r => (r.Id, r.LeafIndex)).Order());
        var latest = await one.Anonymous.GetLogCheckpointAsync(new GetLogCheckpointRequest { ConsultationId = consultation.Id });
        Assert.Equal(240, latest.TreeSize);
        foreach (var receipt in receipts.Where((_, i) => i % 40 == 0))
        {
            Assert.True(Includes(await two.Anonymous.GetInclusionProofAsync(new GetInclusionProofRequest { ConsultationId = consultation.Id, ResponseId = receipt.ResponseId })));
        }
    }

    [Fact]
    public async Task The_log_answers_naming_what_is_wrong_and_an_empty_consultation_closes_with_a_signed_empty_checkpoint()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var empty = await Assert.ThrowsAsync<RpcException>(async () => await host.Anonymous.GetLogCheckpointAsync(new GetLogCheckpointRequest { ConsultationId = consultation.Id }));
        Assert.Equal(StatusCode.NotFound, empty.StatusCode);
        Assert.Contains("no checkpoint yet", empty.Status.Detail);

        var receipt = await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, "One."));
        var noSize = await Assert.ThrowsAsync<RpcException>(async () => await host.Anonymous.GetLogCheckpointAsync(new GetLogCheckpointRequest { ConsultationId = consultation.Id, TreeSize = 7 }));
        Assert.Equal(StatusCode.NotFound, noSize.StatusCode);
        Assert.Contains("the latest: 1", noSize.Status.Detail);
        var elsewhere = await Assert.ThrowsAsync<RpcException>(async () => await host.Anonymous.GetInclusionProofAsync(new GetInclusionProofRequest { ConsultationId = consultation.Id, ResponseId = Guid.NewGuid().ToString() }));
        Assert.Equal(StatusCode.NotFound, elsewhere.StatusCode);
        var badOld = await Assert.ThrowsAsync<RpcException>(async () => await host.Anonymous.GetConsistencyProofAsync(new GetConsistencyProofRequest { ConsultationId = consultation.Id, OldSize = 2 }));
        Assert.Equal(StatusCode.InvalidArgument, badOld.StatusCode);
        Assert.Contains("old_size", badOld.Status.Detail);

        var other = await ConsultationsServiceTests.OpenAsync(host);
        host.Clock.Now = ConsultationsServiceTests.Deadline;
        Assert.Equal(2, await host.CloseDueAsync());
        var closedEmpty = await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = other.Id });
        using var publicKey = PublicKey(await host.Anonymous.GetLogPublicKeyAsync(new GetLogPublicKeyRequest()));
        Assert.Equal(0, closedEmpty.FinalCheckpoint.TreeSize);
        Assert.True(Signed(closedEmpty.FinalCheckpoint, publicKey));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", closedEmpty.ResponsesDigest);
        Assert.Equal(receipt.Inclusion.Checkpoint, (await host.Anonymous.GetConsultationAsync(new GetConsultationRequest { Id = consultation.Id })).FinalCheckpoint);
    }

    [Fact]
    public async Task The_secretariat_sees_what_it_needs_about_an_unassigned_e_mail_and_assigning_it_publishes_it_into_the_log()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, "Web first."));
        var stray = Encoding.UTF8.GetBytes("From: Bo Chen <bo@example.org>\r\nTo: secretariat@itu.int\r\nSubject: which consultation?\r\n\r\nNo tag.\r\n");
        host.Clock.Now = ConsultationsServiceTests.January10.AddHours(1);
        var unassigned = await host.Secretariat.IngestEmailAsync(new IngestEmailRequest { RawMessage = ByteString.CopyFrom(stray), Channel = Channel.Email, EnvelopeRecipient = "secretariat@itu.int" });
        Assert.Equal("", unassigned.Receipt.PublishedSha256);
        Assert.Null(unassigned.Receipt.Inclusion);

        var kept = Assert.Single((await host.Secretariat.ListUnassignedResponsesAsync(new ListUnassignedResponsesRequest())).Responses);
        Assert.Equal(("Bo Chen", "bo@example.org", "which consultation?"), (kept.Respondent.Name, kept.Respondent.Email, kept.Subject));
        Assert.Equal((stray.Length, "secretariat@itu.int", -1L), (kept.ReceivedSize, kept.EnvelopeRecipient, kept.LeafIndex));
        Assert.Equal(ConsultationsServiceTests.January10.AddHours(1), kept.ReceivedAt.ToDateTimeOffset());

        var request = new AssignResponseRequest { ResponseId = unassigned.Receipt.ResponseId, ConsultationId = consultation.Id };
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(async () => await host.Anonymous.AssignResponseAsync(request))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () => await host.MemberState().AssignResponseAsync(request))).StatusCode);
        host.Clock.Now = ConsultationsServiceTests.January10.AddDays(2);
        var assigned = await host.Secretariat.AssignResponseAsync(request);

        Assert.Equal(IngestOutcome.Published, assigned.Outcome);
        Assert.Equal(unassigned.Receipt.TrackingNumber, assigned.Receipt.TrackingNumber);
        Assert.Equal(unassigned.Receipt.ReceivedAt, assigned.Receipt.ReceivedAt);
        Assert.Equal(1, assigned.Receipt.Inclusion.LeafIndex);
        Assert.True(Includes(assigned.Receipt.Inclusion));
        var record = await host.Anonymous.GetPublishedRecordAsync(new GetPublishedRecordRequest { ResponseId = unassigned.Receipt.ResponseId });
        Assert.Contains("\"subject\":\"which consultation?\"", record.Content.ToStringUtf8());
        Assert.DoesNotContain("bo@example.org", record.Content.ToStringUtf8());
        Assert.Empty((await host.Secretariat.ListUnassignedResponsesAsync(new ListUnassignedResponsesRequest())).Responses);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await host.Secretariat.AssignResponseAsync(request));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("already assigned", again.Status.Detail);
        Assert.Equal(2, (await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id })).Responses.Count);
    }

    [Fact]
    public async Task The_record_and_the_log_are_served_as_JSON_too()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10);
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var receipt = await host.Anonymous.SubmitResponseAsync(ConsultationsServiceTests.Submission(consultation.Id, "Über JSON."));
        using var http = new HttpClient { BaseAddress = new Uri(host.Address), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var record = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/v1/responses/{receipt.ResponseId}/record"));
        var content = Convert.FromBase64String(record.RootElement.GetProperty("content").GetString()!);
        Assert.Equal(receipt.PublishedSha256, Convert.ToHexStringLower(SHA256.HashData(content)));
        using var key = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/v1/log/public-key"));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", key.RootElement.GetProperty("publicKeyPem").GetString());
        using var proof = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/v1/consultations/{consultation.Id}/log/inclusion/{receipt.ResponseId}"));
        Assert.Equal(1, proof.RootElement.GetProperty("treeSize").GetInt64());
    }
}
