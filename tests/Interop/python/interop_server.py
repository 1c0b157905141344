#!/usr/bin/env python3
"""grpc.testing.TestService on Python grpcio (Debian python3-grpcio): the peer server for the
project's own client (and a baseline for benchmarks). Prints "Listening on port N" when ready.

  interop_server.py --port=0 --descriptor_set=PATH/interop.pb [--workers=N]
"""
import argparse
import sys
import time
from concurrent import futures

import grpc

import interop_messages

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"


def status_code(value):
    for code in grpc.StatusCode:
        if code.value[0] == value:
            return code
    return grpc.StatusCode.UNKNOWN


def build(m):
    def echo_metadata(context):
        md = dict(context.invocation_metadata())
        if ECHO_INITIAL in md:
            context.send_initial_metadata(((ECHO_INITIAL, md[ECHO_INITIAL]),))
        if ECHO_TRAILING in md:
            context.set_trailing_metadata(((ECHO_TRAILING, md[ECHO_TRAILING]),))

    def maybe_fail(status, context):
        if status.code != 0:
            context.abort(status_code(status.code), status.message)

    def payload(size):
        return m["Payload"](body=b"\0" * size)

    def empty_call(request, context):
        return m["Empty"]()

    def unary_call(request, context):
        echo_metadata(context)
        # expect_compressed is not checked: grpcio shows neither the message flag nor grpc-encoding
        # to handlers, so this server lacks the interop "CompressedRequest" feature.
        maybe_fail(request.response_status, context)
        if request.HasField("response_compressed"):
            context.set_compression(grpc.Compression.Gzip if request.response_compressed.value else grpc.Compression.NoCompression)
        return m["SimpleResponse"](payload=payload(request.response_size))

    def streaming_output_call(request, context):
        echo_metadata(context)
        maybe_fail(request.response_status, context)
        for p in request.response_parameters:
            if p.interval_us:
                time.sleep(p.interval_us / 1e6)
            yield m["StreamingOutputCallResponse"](payload=payload(p.size))

    def streaming_input_call(request_iterator, context):
        echo_metadata(context)
        total = 0
        for r in request_iterator:
            total += len(r.payload.body)
        return m["StreamingInputCallResponse"](aggregated_payload_size=total)

    def full_duplex_call(request_iterator, context):
        echo_metadata(context)
        for r in request_iterator:
            maybe_fail(r.response_status, context)
            for p in r.response_parameters:
                if p.interval_us:
                    time.sleep(p.interval_us / 1e6)
                yield m["StreamingOutputCallResponse"](payload=payload(p.size))

    def half_duplex_call(request_iterator, context):
        echo_metadata(context)
        requests = list(request_iterator)
        for r in requests:
            maybe_fail(r.response_status, context)
            for p in r.response_parameters:
                yield m["StreamingOutputCallResponse"](payload=payload(p.size))

    def de(name):
        return m[name].FromString

    ser = lambda msg: msg.SerializeToString()
    handlers = {
        "EmptyCall": grpc.unary_unary_rpc_method_handler(empty_call, de("Empty"), ser),
        "UnaryCall": grpc.unary_unary_rpc_method_handler(unary_call, de("SimpleRequest"), ser),
        "StreamingOutputCall": grpc.unary_stream_rpc_method_handler(streaming_output_call, de("StreamingOutputCallRequest"), ser),
        "StreamingInputCall": grpc.stream_unary_rpc_method_handler(streaming_input_call, de("StreamingInputCallRequest"), ser),
        "FullDuplexCall": grpc.stream_stream_rpc_method_handler(full_duplex_call, de("StreamingOutputCallRequest"), ser),
        "HalfDuplexCall": grpc.stream_stream_rpc_method_handler(half_duplex_call, de("StreamingOutputCallRequest"), ser),
    }
    return grpc.method_handlers_generic_handler("grpc.testing.TestService", handlers)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--descriptor_set", required=True)
    p.add_argument("--workers", type=int, default=16)
    a = p.parse_args()
    m = interop_messages.load(a.descriptor_set)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=a.workers))
    server.add_generic_rpc_handlers((build(m),))
    port = server.add_insecure_port(f"127.0.0.1:{a.port}")
    server.start()
    print(f"Listening on port {port}", flush=True)
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
