"""A real gRPC client (Python grpcio) calling through the gateway; prints what it saw as JSON.

Messages are raw bytes (no serializers): the test backend speaks UTF-8 payloads.
"""
import json
import sys

import grpc

target = sys.argv[1]
out = {}
with grpc.insecure_channel(target) as channel:
    unary = channel.unary_unary("/test.v1.Echo/Unary")
    response, call = unary.with_call(b"py", metadata=[("x-meta", "m-py")], timeout=10)
    out["unary"] = response.decode()
    out["unary_trailers"] = {k: v for k, v in call.trailing_metadata()}
    out["unary_headers"] = {k: v for k, v in call.initial_metadata()}

    stream = channel.unary_stream("/test.v1.Echo/ServerStream")
    out["server_stream"] = [m.decode() for m in stream(b"5", timeout=10)]

    client_stream = channel.stream_unary("/test.v1.Echo/ClientStream")
    out["client_stream"] = client_stream(iter([b"x", b"y", b"z"]), timeout=10).decode()

    bidi = channel.stream_stream("/test.v1.Echo/Bidi")
    out["bidi"] = [m.decode() for m in bidi(iter([b"a", b"b"]), timeout=10)]

    try:
        channel.unary_unary("/test.v1.Echo/TrailersOnly")(b"x", timeout=10)
        out["error"] = None
    except grpc.RpcError as e:
        out["error"] = {"code": e.code().name, "details": e.details()}

    try:
        channel.unary_unary("/test.v1.Echo/Slow")(b"x", timeout=0.3)
        out["deadline"] = None
    except grpc.RpcError as e:
        out["deadline"] = e.code().name

print(json.dumps(out))
