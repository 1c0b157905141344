"""Hostile HTTP/2 clients for the gateway's probe tests (Debian's python3-h2 and its hpack).

Usage: h2_probes.py HOST PORT PROBE [SOURCE_ADDRESS]
Prints one JSON object saying what the client saw. Every probe is bounded in time and count.

Probes (each the repro of a finding of the issue's probe of the old gateway):
  crlf-header, lf-header, nul-header  a request whose header value holds CR LF, LF or NUL
  trailer-pseudo, trailer-uppercase   request trailers with a pseudo-header or an uppercase name
  madeyoureset                        streams the server must reset itself (WINDOW_UPDATE 0,
                                      DATA after END_STREAM), as fast as the connection takes them
  flood                               60 connections x 100 open streams held for HOLD seconds
"""
import json
import os
import socket
import struct
import sys
import time

import h2.config
import h2.connection
import h2.events
import hpack

PATH = b"/test.v1.Echo/Unary"
MESSAGE = b"\x00\x00\x00\x00\x05probe"  # one gRPC message "probe"
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def request_headers(host, port, path=PATH, extra=()):
    return [
        (b":method", b"POST"), (b":scheme", b"http"), (b":authority", f"{host}:{port}".encode()), (b":path", path),
        (b"content-type", b"application/grpc"), (b"te", b"trailers"), *extra,
    ]


def connect(host, port, source):
    sock = socket.create_connection((host, port), timeout=10, source_address=(source, 0) if source else None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def lenient_connection():
    # The client side of h2 with its own checks off: it must send what a well-behaved client never would.
    config = h2.config.H2Configuration(client_side=True, validate_outbound_headers=False, normalize_outbound_headers=False,
                                       validate_inbound_headers=False, header_encoding=None)
    conn = h2.connection.H2Connection(config=config)
    conn.initiate_connection()
    return conn


def read_outcome(sock, conn, stream_id, seconds=10):
    """Reads until the stream or the connection ends: returns what ended it, and after how long."""
    started = time.monotonic()
    deadline = started + seconds
    outcome = {"status": None, "grpc_status": None, "reset": None, "goaway": None, "closed": False}
    try:
        return _read_outcome(sock, conn, stream_id, deadline, outcome)
    finally:
        outcome["seconds"] = round(time.monotonic() - started, 3)


def _read_outcome(sock, conn, stream_id, deadline, outcome):
    sock.settimeout(1)
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            outcome["closed"] = True
            return outcome
        if not data:
            outcome["closed"] = True
            return outcome
        try:
            events = conn.receive_data(data)
        except h2.exceptions.ProtocolError as e:
            outcome["client_protocol_error"] = str(e)
            return outcome
        for event in events:
            if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)) and event.stream_id == stream_id:
                for name, value in event.headers:
                    if name == b":status":
                        outcome["status"] = int(value)
                    if name == b"grpc-status":
                        outcome["grpc_status"] = int(value)
            if isinstance(event, h2.events.StreamReset) and event.stream_id == stream_id:
                outcome["reset"] = int(event.error_code)
                return outcome
            if isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                return outcome
            if isinstance(event, h2.events.ConnectionTerminated):
                outcome["goaway"] = int(event.error_code)
                return outcome
        out = conn.data_to_send()
        if out:
            sock.sendall(out)
    outcome["timed_out"] = True
    return outcome


def bad_header(host, port, source, value):
    sock = connect(host, port, source)
    conn = lenient_connection()
    sock.sendall(conn.data_to_send())
    headers = request_headers(host, port, extra=[(b"x-probe", b"bad-header"), (b"x-meta", value)])
    conn.send_headers(1, headers)
    conn.send_data(1, MESSAGE, end_stream=True)
    sock.sendall(conn.data_to_send())
    outcome = read_outcome(sock, conn, 1)
    sock.close()
    return outcome


def bad_trailers(host, port, source, trailers):
    sock = connect(host, port, source)
    conn = lenient_connection()
    sock.sendall(conn.data_to_send())
    conn.send_headers(1, request_headers(host, port, extra=[(b"x-probe", b"bad-trailers")]))
    conn.send_data(1, MESSAGE)
    conn.send_headers(1, trailers, end_stream=True)
    sock.sendall(conn.data_to_send())
    outcome = read_outcome(sock, conn, 1)
    sock.close()
    return outcome


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def made_you_reset(host, port, source, seconds=5.0, limit=200000):
    """Streams the server has to reset itself, with no request the client cancels: a WINDOW_UPDATE of 0
    on an open stream (a stream error), and DATA after END_STREAM (STREAM_CLOSED)."""
    sock = connect(host, port, source)
    encoder = hpack.Encoder()
    sock.sendall(PREFACE + frame(0x4, 0, 0))
    sock.setblocking(False)
    sent, stream, received, goaway, closed = 0, 1, b"", None, False
    deadline = time.monotonic() + seconds
    headers = request_headers(host, port, extra=[(b"x-probe", b"madeyoureset")])
    while time.monotonic() < deadline and sent < limit and goaway is None and not closed:
        batch = bytearray()
        for _ in range(50):
            block = encoder.encode(headers)
            if stream % 4 == 1:
                batch += frame(0x1, 0x4, stream, block)                      # HEADERS, END_HEADERS (stream open)
                batch += frame(0x8, 0, stream, struct.pack(">I", 0))          # WINDOW_UPDATE 0: server resets it
            else:
                batch += frame(0x1, 0x5, stream, block)                      # HEADERS, END_HEADERS | END_STREAM
                batch += frame(0x0, 0, stream, b"\x00")                       # DATA after END_STREAM
            stream += 2
            sent += 1
        try:
            sock.sendall(bytes(batch))
        except (BlockingIOError, InterruptedError):
            sock.setblocking(True)
            sock.settimeout(5)
            try:
                sock.sendall(bytes(batch))
            except OSError:
                closed = True
            sock.setblocking(False)
        except OSError:
            closed = True
        try:
            while True:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    closed = True
                    break
                received += chunk
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            closed = True
        # Frames from the server: SETTINGS are acknowledged, GOAWAY ends the probe.
        while len(received) >= 9:
            length = int.from_bytes(received[:3], "big")
            if len(received) < 9 + length:
                break
            kind, flags = received[3], received[4]
            payload = received[9:9 + length]
            received = received[9 + length:]
            if kind == 0x4 and not flags & 0x1:
                try:
                    sock.sendall(frame(0x4, 0x1, 0))
                except OSError:
                    closed = True
            if kind == 0x7:
                goaway = int.from_bytes(payload[4:8], "big")
    sock.close()
    return {"streams": sent, "goaway": goaway, "closed": closed}


def flood(host, port, source, connections=60, streams=100, hold=8.0):
    """One client holding connections x streams open (request headers sent, the body never ends)."""
    sockets, answered, opened = [], 0, 0
    for _ in range(connections):
        sock = connect(host, port, source)
        conn = lenient_connection()
        sock.sendall(conn.data_to_send())
        for i in range(streams):
            conn.send_headers(1 + 2 * i, request_headers(host, port, path=b"/test.v1.Echo/Slow", extra=[(b"x-probe", b"flood")]))
            opened += 1
        sock.sendall(conn.data_to_send())
        sockets.append((sock, conn))
    deadline = time.monotonic() + hold
    ended = set()
    while time.monotonic() < deadline:
        for index, (sock, conn) in enumerate(sockets):
            sock.settimeout(0.01)
            try:
                data = sock.recv(65536)
            except (socket.timeout, BlockingIOError):
                continue
            except OSError:
                continue
            if not data:
                continue
            try:
                for event in conn.receive_data(data):
                    if isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                        ended.add((index, event.stream_id))
            except h2.exceptions.ProtocolError:
                pass
            out = conn.data_to_send()
            if out:
                try:
                    sock.sendall(out)
                except OSError:
                    pass
    answered = len(ended)
    for sock, _ in sockets:
        sock.close()
    return {"opened": opened, "answered_while_held": answered}


def main():
    host, port, probe = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    source = sys.argv[4] if len(sys.argv) > 4 else None
    if probe == "crlf-header":
        result = bad_header(host, port, source, b"a\r\nx-injected: 1")
    elif probe == "lf-header":
        result = bad_header(host, port, source, b"a\nb")
    elif probe == "nul-header":
        result = bad_header(host, port, source, b"a\x00b")
    elif probe == "trailer-pseudo":
        result = bad_trailers(host, port, source, [(b":path", b"/other")])
    elif probe == "trailer-uppercase":
        result = bad_trailers(host, port, source, [(b"X-Upper", b"v")])
    elif probe == "madeyoureset":
        result = made_you_reset(host, port, source)
    elif probe == "flood":
        result = flood(host, port, source, hold=float(os.environ.get("HOLD", "8")))
    else:
        raise SystemExit(f"unknown probe {probe}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
