using Grpc.Core;
using Wsis.Consultations.V1;
using Xunit;

namespace Wsis.Consultations.Tests.Service;

public class IntakeGateTests
{
    [Fact]
    public async Task A_burst_beyond_capacity_is_told_to_retry_and_the_retries_with_the_same_request_id_are_stored_once()
    {
        await using var host = await ConsultationsHost.StartAsync(ConsultationsServiceTests.January10, settings: new Dictionary<string, string?>
        {
            ["Consultations:Intake:MaxConcurrent"] = "1",
            ["Consultations:Intake:MaxQueue"] = "0",
        });
        var consultation = await ConsultationsServiceTests.OpenAsync(host);
        var requests = Enumerable.Range(0, 40).Select(i =>
        {
            var request = ConsultationsServiceTests.Submission(consultation.Id, $"Burst {i}.");
            request.RequestId = $"burst-{i}";
            return request;
        }).ToList();

        var first = await Task.WhenAll(requests.Select(async r =>
        {
            try
            {
                return (Request: r, Receipt: (Receipt?)await host.Anonymous.SubmitResponseAsync(r), Error: (RpcException?)null);
            }
            catch (RpcException e)
            {
                return (Request: r, Receipt: null, Error: e);
            }
        }));

        var refused = first.Where(x => x.Error is not null).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, x =>
        {
            Assert.Equal(StatusCode.Unavailable, x.Error!.StatusCode);
            Assert.Contains("retry", x.Error.Status.Detail);
            Assert.Equal("500", x.Error.Trailers.GetValue("retry-after-ms"));
        });

        var receipts = first.Where(x => x.Receipt is not null).Select(x => x.Receipt!).ToList();
        foreach (var (request, _, _) in refused)
        {
            receipts.Add(await host.Anonymous.SubmitResponseAsync(request)); // one at a time: admitted
        }

        foreach (var (request, receipt, _) in first.Where(x => x.Receipt is not null))
        {
            Assert.Equal(receipt, await host.Anonymous.SubmitResponseAsync(request)); // a retry after success changes nothing
        }

        var listed = await host.Anonymous.ListResponsesAsync(new ListResponsesRequest { ConsultationId = consultation.Id, PageSize = 100 });
        Assert.Equal(40, listed.Responses.Count);
        Assert.Equal(receipts.Select(r => r.ResponseId).Order(), listed.Responses.Select(r => r.Id).Order());
    }
}
