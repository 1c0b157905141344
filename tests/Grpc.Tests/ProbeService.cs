using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Platform.Testing.V1;

namespace Grpc.Tests;

/// <summary>What the probe handlers saw, for assertions on the server side.</summary>
public sealed class ProbeRecorder
{
    public TaskCompletionSource HandlerCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource GateReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public ConcurrentDictionary<string, int> ConnectionIds { get; } = new();
    public int Calls;
}

/// <summary>Marks a handler, to check that handler attributes become endpoint metadata (as [Authorize] must).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ProbeMarkerAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Handlers that do what the request's behaviour asks.</summary>
[ProbeMarker("service")]
public sealed class ProbeService(ProbeRecorder recorder) : Probe.ProbeBase
{
    public const string SecretDetail = "secret internal detail: Password=hunter2";

    [ProbeMarker("unary")]
    public override async Task<ProbeReply> Unary(ProbeRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref recorder.Calls);
        recorder.ConnectionIds.TryAdd(context.GetHttpContext().Connection.Id, 0);
        switch (request.Behaviour)
        {
            case "throw":
                throw new InvalidOperationException(SecretDetail);
            case "rpc-error":
                throw new RpcException(new Status(StatusCode.NotFound, "Team 'ünï 42' was not found (100%)."),
                    new Metadata { { "x-reason", "missing" }, { "x-detail-bin", new byte[] { 0, 1, 2, 250 } } });
            case "unavailable":
                throw new RpcException(new Status(StatusCode.Unavailable, "try later"));
            case "set-status":
                context.Status = new Status(StatusCode.FailedPrecondition, "set on the context");
                context.ResponseTrailers.Add("x-why", "precondition");
                return new ProbeReply { Text = "ignored" };
            case "echo-headers":
            {
                var seen = context.RequestHeaders
                    .Where(e => e.Key.StartsWith("x-", StringComparison.Ordinal))
                    .Select(e => e.IsBinary ? $"{e.Key}={Convert.ToHexString(e.ValueBytes)}" : $"{e.Key}={e.Value}");
                await context.WriteResponseHeadersAsync(new Metadata { { "x-initial", "hello" }, { "x-initial-bin", new byte[] { 0xab, 0xcd } } });
                context.ResponseTrailers.Add("x-trailer", "bye");
                context.ResponseTrailers.Add("x-trailer-bin", new byte[] { 0xff, 0x00, 0x7f });
                return new ProbeReply { Text = string.Join(";", seen) };
            }
            case "sleep":
                await SleepUntilCancelledAsync(context);
                return new ProbeReply();
            case "deadline":
                return new ProbeReply { Text = context.Deadline == DateTime.MaxValue ? "none" : (context.Deadline - DateTime.UtcNow).TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) };
            case "gate":
                recorder.GateReached.TrySetResult();
                await recorder.Gate.Task;
                return new ProbeReply { Text = "released" };
            case "peer":
                return new ProbeReply { Text = context.Peer + "|" + context.Method + "|" + context.GetHttpContext().Request.Path };
            case "large":
                return new ProbeReply { Blob = ByteString.CopyFrom(new byte[request.Count]) };
            default:
                return new ProbeReply { Text = request.Text, Blob = request.Blob };
        }
    }

    public override async Task ServerStream(ProbeRequest request, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new ProbeReply { Text = request.Text, Index = i });
            if (i == 0 && request.Behaviour == "gate")
            {
                recorder.GateReached.TrySetResult();
                await recorder.Gate.Task.WaitAsync(context.CancellationToken);
            }
            if (i == 0 && request.Behaviour == "sleep")
            {
                await SleepUntilCancelledAsync(context);
            }
        }
        if (request.Behaviour == "rpc-error")
        {
            throw new RpcException(new Status(StatusCode.Aborted, "stopped after the messages"), new Metadata { { "x-after", "yes" } });
        }
    }

    public override async Task<ProbeReply> ClientStream(IAsyncStreamReader<ProbeRequest> requestStream, ServerCallContext context)
    {
        var total = 0;
        var texts = new List<string>();
        await foreach (var request in requestStream.ReadAllAsync())
        {
            if (request.Behaviour == "throw") throw new InvalidOperationException(SecretDetail);
            if (request.Behaviour == "sleep") await SleepUntilCancelledAsync(context);
            total += request.Count;
            texts.Add(request.Text);
        }
        return new ProbeReply { Index = total, Text = string.Join(",", texts) };
    }

    public override async Task Duplex(IAsyncStreamReader<ProbeRequest> requestStream, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync())
        {
            if (request.Behaviour == "rpc-error")
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"message {index} asked for an error"));
            }
            if (request.Behaviour == "sleep") await SleepUntilCancelledAsync(context);
            await responseStream.WriteAsync(new ProbeReply { Text = request.Text, Index = index++ });
        }
    }

    private async Task SleepUntilCancelledAsync(ServerCallContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            recorder.HandlerCancelled.TrySetResult();
            throw;
        }
    }
}
