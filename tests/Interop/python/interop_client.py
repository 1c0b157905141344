#!/usr/bin/env python3
"""A gRPC interop client on Python grpcio (Debian python3-grpcio), running cases of the
interop test descriptions against a server. Prints "PASS name" or "FAIL name: reason" per
case; the exit code is 0 when all pass.

  interop_client.py --server_port=N --test_case=NAME|NAME,NAME|all --descriptor_set=PATH/interop.pb
"""
import argparse
import sys
import time

import grpc

import interop_messages

SERVICE = "/grpc.testing.TestService/"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Stub:
    def __init__(self, channel, m):
        self.m = m
        ser = lambda msg: msg.SerializeToString()

        def de(name):
            return m[name].FromString

        self.EmptyCall = channel.unary_unary(SERVICE + "EmptyCall", ser, de("Empty"))
        self.UnaryCall = channel.unary_unary(SERVICE + "UnaryCall", ser, de("SimpleResponse"))
        self.StreamingOutputCall = channel.unary_stream(SERVICE + "StreamingOutputCall", ser, de("StreamingOutputCallResponse"))
        self.StreamingInputCall = channel.stream_unary(SERVICE + "StreamingInputCall", ser, de("StreamingInputCallResponse"))
        self.FullDuplexCall = channel.stream_stream(SERVICE + "FullDuplexCall", ser, de("StreamingOutputCallResponse"))
        self.UnimplementedCall = channel.unary_unary(SERVICE + "UnimplementedCall", ser, de("Empty"))
        self.UnimplementedService = channel.unary_unary("/grpc.testing.UnimplementedService/UnimplementedCall", ser, de("Empty"))


def payload(m, size):
    return m["Payload"](body=b"\0" * size)


def expect_rpc_error(fn, code, message=None):
    try:
        fn()
    except grpc.RpcError as e:
        check(e.code() == code, f"expected {code}, got {e.code()}: {e.details()}")
        if message is not None:
            check(e.details() == message, f"expected message {message!r}, got {e.details()!r}")
        return e
    raise Failure(f"expected {code}, the call succeeded")


def empty_unary(stub, m):
    r = stub.EmptyCall(m["Empty"](), timeout=10)
    check(r is not None and r.ByteSize() == 0, "response not empty")


def large_unary(stub, m):
    r = stub.UnaryCall(m["SimpleRequest"](response_size=314159, payload=payload(m, 271828)), timeout=10)
    check(len(r.payload.body) == 314159, f"payload size {len(r.payload.body)}")
    check(r.payload.body == b"\0" * 314159, "payload not zeros")


def client_compressed_unary(stub, m):
    req = lambda expect: m["SimpleRequest"](expect_compressed=m["BoolValue"](value=expect), response_size=314159, payload=payload(m, 271828))
    expect_rpc_error(lambda: stub.UnaryCall(req(True), timeout=10, compression=grpc.Compression.NoCompression), grpc.StatusCode.INVALID_ARGUMENT)
    r = stub.UnaryCall(req(True), timeout=10, compression=grpc.Compression.Gzip)
    check(len(r.payload.body) == 314159, "compressed call: payload size")
    r = stub.UnaryCall(req(False), timeout=10, compression=grpc.Compression.NoCompression)
    check(len(r.payload.body) == 314159, "uncompressed call: payload size")


def server_compressed_unary(stub, m):
    # grpcio does not expose the per-message compressed flag; the call and payload are checked.
    for compressed in (True, False):
        r = stub.UnaryCall(m["SimpleRequest"](response_compressed=m["BoolValue"](value=compressed), response_size=314159, payload=payload(m, 271828)), timeout=10)
        check(len(r.payload.body) == 314159, f"payload size (compressed={compressed})")


def client_streaming(stub, m):
    sizes = [27182, 8, 1828, 45904]
    r = stub.StreamingInputCall(iter([m["StreamingInputCallRequest"](payload=payload(m, s)) for s in sizes]), timeout=10)
    check(r.aggregated_payload_size == 74922, f"aggregated {r.aggregated_payload_size}")


def client_compressed_streaming(stub, m):
    probe = m["StreamingInputCallRequest"](expect_compressed=m["BoolValue"](value=True), payload=payload(m, 27182))
    expect_rpc_error(lambda: stub.StreamingInputCall(iter([probe]), timeout=10, compression=grpc.Compression.NoCompression), grpc.StatusCode.INVALID_ARGUMENT)
    # grpcio compresses a whole call; the second message's expectation is false, which the server does not check.
    msgs = [probe, m["StreamingInputCallRequest"](expect_compressed=m["BoolValue"](value=False), payload=payload(m, 45904))]
    r = stub.StreamingInputCall(iter(msgs), timeout=10, compression=grpc.Compression.Gzip)
    check(r.aggregated_payload_size == 73086, f"aggregated {r.aggregated_payload_size}")


def server_streaming(stub, m):
    sizes = [31415, 9, 2653, 58979]
    req = m["StreamingOutputCallRequest"](response_parameters=[m["ResponseParameters"](size=s) for s in sizes])
    got = [len(r.payload.body) for r in stub.StreamingOutputCall(req, timeout=10)]
    check(got == sizes, f"sizes {got}")


def server_compressed_streaming(stub, m):
    req = m["StreamingOutputCallRequest"](response_parameters=[
        m["ResponseParameters"](size=31415, compressed=m["BoolValue"](value=True)),
        m["ResponseParameters"](size=92653, compressed=m["BoolValue"](value=False))])
    got = [len(r.payload.body) for r in stub.StreamingOutputCall(req, timeout=10)]
    check(got == [31415, 92653], f"sizes {got}")


class Requests:
    """A request iterator the test feeds one message at a time (for ping-pong)."""

    def __init__(self):
        import queue
        self.q = queue.Queue()

    def put(self, item):
        self.q.put(item)

    def close(self):
        self.q.put(None)

    def __iter__(self):
        return self

    def __next__(self):
        item = self.q.get()
        if item is None:
            raise StopIteration
        return item


def ping_pong(stub, m):
    pairs = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]
    requests = Requests()
    call = stub.FullDuplexCall(requests, timeout=10)
    for resp_size, req_size in pairs:
        requests.put(m["StreamingOutputCallRequest"](response_parameters=[m["ResponseParameters"](size=resp_size)], payload=payload(m, req_size)))
        r = next(call)
        check(len(r.payload.body) == resp_size, f"size {len(r.payload.body)} != {resp_size}")
    requests.close()
    check(next(call, None) is None, "more responses than requests")
    check(call.code() == grpc.StatusCode.OK, f"status {call.code()}")


def empty_stream(stub, m):
    got = list(stub.FullDuplexCall(iter([]), timeout=10))
    check(got == [], f"{len(got)} responses")


def custom_metadata(stub, m):
    md = (("x-grpc-test-echo-initial", "test_initial_metadata_value"), ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab"))

    def verify(initial, trailing):
        initial = dict(initial)
        trailing = dict(trailing)
        check(initial.get("x-grpc-test-echo-initial") == "test_initial_metadata_value", f"initial {initial}")
        check(trailing.get("x-grpc-test-echo-trailing-bin") == b"\xab\xab\xab", f"trailing {trailing}")

    r, call = stub.UnaryCall.with_call(m["SimpleRequest"](response_size=314159, payload=payload(m, 271828)), metadata=md, timeout=10)
    check(len(r.payload.body) == 314159, "unary payload size")
    verify(call.initial_metadata(), call.trailing_metadata())

    req = m["StreamingOutputCallRequest"](response_parameters=[m["ResponseParameters"](size=314159)], payload=payload(m, 271828))
    call = stub.FullDuplexCall(iter([req]), metadata=md, timeout=10)
    got = [len(x.payload.body) for x in call]
    check(got == [314159], f"duplex sizes {got}")
    verify(call.initial_metadata(), call.trailing_metadata())


def status_code_and_message(stub, m, message="test status message"):
    status = m["EchoStatus"](code=2, message=message)
    expect_rpc_error(lambda: stub.UnaryCall(m["SimpleRequest"](response_status=status), timeout=10), grpc.StatusCode.UNKNOWN, message)
    call = stub.FullDuplexCall(iter([m["StreamingOutputCallRequest"](response_status=status)]), timeout=10)
    expect_rpc_error(lambda: list(call), grpc.StatusCode.UNKNOWN, message)


def special_status_message(stub, m):
    message = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
    status = m["EchoStatus"](code=2, message=message)
    expect_rpc_error(lambda: stub.UnaryCall(m["SimpleRequest"](response_status=status), timeout=10), grpc.StatusCode.UNKNOWN, message)


def unimplemented_method(stub, m):
    expect_rpc_error(lambda: stub.UnimplementedCall(m["Empty"](), timeout=10), grpc.StatusCode.UNIMPLEMENTED)


def unimplemented_service(stub, m):
    expect_rpc_error(lambda: stub.UnimplementedService(m["Empty"](), timeout=10), grpc.StatusCode.UNIMPLEMENTED)


def cancel_after_begin(stub, m):
    requests = Requests()
    future = stub.StreamingInputCall.future(requests, timeout=10)
    future.cancel()
    check(future.cancelled(), "future not cancelled")
    try:
        future.result()
        raise Failure("call succeeded")
    except grpc.FutureCancelledError:
        pass
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.CANCELLED, f"status {e.code()}")
    requests.close()


def cancel_after_first_response(stub, m):
    requests = Requests()
    call = stub.FullDuplexCall(requests, timeout=10)
    requests.put(m["StreamingOutputCallRequest"](response_parameters=[m["ResponseParameters"](size=31415)], payload=payload(m, 27182)))
    r = next(call)
    check(len(r.payload.body) == 31415, "first response size")
    call.cancel()
    try:
        next(call)
        raise Failure("stream continued after cancel")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.CANCELLED, f"status {e.code()}")
    requests.close()


def timeout_on_sleeping_server(stub, m):
    requests = Requests()
    call = stub.FullDuplexCall(requests, timeout=0.001)
    requests.put(m["StreamingOutputCallRequest"](payload=payload(m, 27182)))
    try:
        next(call)
        raise Failure("got a response")
    except StopIteration:
        raise Failure("stream ended without error")
    except grpc.RpcError as e:
        check(e.code() == grpc.StatusCode.DEADLINE_EXCEEDED, f"status {e.code()}")
    requests.close()


CASES = {f.__name__: f for f in [
    empty_unary, large_unary, client_compressed_unary, server_compressed_unary, client_streaming,
    client_compressed_streaming, server_streaming, server_compressed_streaming, ping_pong, empty_stream,
    custom_metadata, status_code_and_message, special_status_message, unimplemented_method,
    unimplemented_service, cancel_after_begin, cancel_after_first_response, timeout_on_sleeping_server]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server_host", default="127.0.0.1")
    p.add_argument("--server_port", type=int, required=True)
    p.add_argument("--test_case", required=True, help="a case name, a comma-separated list, or 'all'")
    p.add_argument("--descriptor_set", required=True)
    a = p.parse_args()
    m = interop_messages.load(a.descriptor_set)
    names = list(CASES) if a.test_case == "all" else a.test_case.split(",")
    failed = 0
    with grpc.insecure_channel(f"{a.server_host}:{a.server_port}") as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        for name in names:
            try:
                CASES[name](Stub(channel, m), m)
                print(f"PASS {name}", flush=True)
            except (Failure, grpc.RpcError, KeyError) as e:
                detail = f"{e.code()}: {e.details()}" if isinstance(e, grpc.RpcError) else repr(e)
                print(f"FAIL {name}: {detail}", flush=True)
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
