#!/usr/bin/env bash
# Unary gRPC throughput and latency with h2load (Debian nghttp2-client), one run, four servers
# answering the same grpc.testing.TestService/UnaryCall (100-byte payload each way):
#   layer  - this project's gRPC layer (platform/Grpc) on Kestrel
#   bare   - Kestrel HTTP/2 with the gRPC framing written by hand (the ceiling)
#   python - Python grpcio (Debian python3-grpcio)
#   node   - Node @grpc/grpc-js
# Usage: bench/grpc/run.sh   (env: REQUESTS=200000 CLIENTS=8 STREAMS=16 SIZE=100 WARMUP=30000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-8}
STREAMS=${STREAMS:-16}
SIZE=${SIZE:-100}
WARMUP=${WARMUP:-30000}
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client (scripts/install-test-deps.sh)"; exit 1; }
[ -d tests/Interop/node/node_modules ] || (cd tests/Interop/node && npm ci --no-audit --no-fund --loglevel=error)

echo "building (Release)..."
dotnet build -c Release bench/Grpc.Bench/Grpc.Bench.csproj -nologo -v q >/dev/null
dotnet build -c Release tests/Interop/Interop.csproj -nologo -v q >/dev/null
bench_dll=bench/Grpc.Bench/bin/Release/net10.0/Grpc.Bench.dll
interop_dll=tests/Interop/bin/Release/net10.0/Interop.dll
descriptors=tests/Interop/bin/Release/net10.0/interop.pb
dotnet "$bench_dll" --mode request --size "$SIZE" --out "$work/request.bin"

# start NAME COMMAND...: runs a server, waits for "Listening on port N", sets $port.
start() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>&1 &
  pids+=($!)
  server_pid=$!
  for _ in $(seq 1 100); do
    if grep -q "Listening on port" "$work/$name.out"; then
      port=$(grep -o "Listening on port [0-9]*" "$work/$name.out" | grep -o "[0-9]*$")
      return 0
    fi
    sleep 0.1
  done
  echo "$name did not start:"; cat "$work/$name.out"; exit 1
}

load() { # load PORT N LOGFILE
  h2load -n "$2" -c "$CLIENTS" -m "$STREAMS" -t 1 \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$work/request.bin" ${3:+--log-file="$3"} \
    "http://127.0.0.1:$1/grpc.testing.TestService/UnaryCall"
}

declare -A rps p50 p99
run() { # run NAME COMMAND...
  local name=$1
  start "$@"
  # A real client checks the server answers UnaryCall correctly before it is measured.
  dotnet "$interop_dll" --client --server_port "$port" --test_case large_unary >/dev/null \
    || { echo "$name failed the large_unary check"; exit 1; }
  load "$port" "$WARMUP" >/dev/null
  load "$port" "$REQUESTS" "$work/$name.log" >"$work/$name.h2load"
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  local ok
  ok=$(grep -o "[0-9]* succeeded" "$work/$name.h2load" | grep -o "^[0-9]*")
  [ "$ok" = "$REQUESTS" ] || { echo "$name: only $ok of $REQUESTS succeeded"; cat "$work/$name.h2load"; exit 1; }
  rps[$name]=$(grep -o "[0-9.]* req/s" "$work/$name.h2load" | head -1 | grep -o "^[0-9.]*")
  read -r p50[$name] p99[$name] < <(/usr/bin/python3 -c '
import sys
v = sorted(int(l.split("\t")[2]) for l in open(sys.argv[1]) if l.strip())
print(v[len(v) // 2] / 1000, v[min(len(v) - 1, int(len(v) * 0.99))] / 1000)' "$work/$name.log")
  printf "%-7s %10.0f req/s   p50 %7.2f ms   p99 %7.2f ms\n" "$name" "${rps[$name]}" "${p50[$name]}" "${p99[$name]}"
}

echo "h2load: $REQUESTS unary calls, $CLIENTS connections x $STREAMS streams, ${SIZE}-byte payloads, after $WARMUP warm-up calls"
run layer dotnet "$bench_dll" --mode layer --port 0
run bare dotnet "$bench_dll" --mode bare --port 0
run python /usr/bin/python3 tests/Interop/python/interop_server.py --port=0 --descriptor_set="$descriptors" --workers=16
run node node tests/Interop/node/server.js --port=0

ratio() { /usr/bin/python3 -c "print(f'{float(\"$1\") / float(\"$2\") * 100:.0f}%')"; }
echo
echo "layer / bare   : $(ratio "${rps[layer]}" "${rps[bare]}")   (target >= 80%)"
echo "layer / python : $(ratio "${rps[layer]}" "${rps[python]}")"
echo "layer / node   : $(ratio "${rps[layer]}" "${rps[node]}")"
