#!/usr/bin/env bash
# Unary gRPC throughput and latency with h2load (Debian nghttp2-client), four servers answering
# the same grpc.testing.TestService/UnaryCall (SIZE-byte payload each way):
#   layer  - this project's gRPC layer (platform/Grpc) on Kestrel
#   bare   - Kestrel HTTP/2 with the gRPC framing written by hand (the ceiling)
#   python - Python grpcio (Debian python3-grpcio)
#   node   - Node @grpc/grpc-js
# The servers are measured in turn, ROUNDS times in alternating order, and the best round of
# each is kept, so that a burst of other work on a shared machine does not decide the comparison.
# Server CPU per call is reported too: it depends much less on other load than req/s.
# Writes $BENCH_OUT/grpc.json (default bench/out; see bench/README.md).
# Usage: bench/grpc/run.sh   (env: DURATION=8 ROUNDS=2 CLIENTS=8 STREAMS=16 SIZE=100 WARMUP=60000 WARMUP_SECONDS=10
#        ONLY=layer,bare NO_BUILD=1 to skip the build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
SERVERS=(layer bare python node)
[ -n "${ONLY:-}" ] && IFS=, read -r -a SERVERS <<<"$ONLY"
export PYTHONPATH="$root/bench/lib"
started=$(python3 -c "import benchjson; print(benchjson.now())")
machine=$(python3 -c "import benchjson; print(benchjson.machine())")
out_dir=$(python3 -c "import benchjson; print(benchjson.out_dir('$root'))")
work="$(mktemp -d)"
# shellcheck source=bench/lib/h2load.sh
. "$root/bench/lib/h2load.sh"
trap 'stop_servers; rm -rf "$work"' EXIT
trap 'exit 143' TERM INT  # so that the EXIT trap stops the servers when bench/run.sh's timeout fires

h2load_require
[ -d tests/Interop/node/node_modules ] || (cd tests/Interop/node && npm ci --no-audit --no-fund --loglevel=error)

if [ "${NO_BUILD:-0}" != 1 ]; then
  echo "building (Release)..."
  dotnet build -c Release bench/Grpc.Bench/Grpc.Bench.csproj -nologo -v q >/dev/null
  dotnet build -c Release tests/Interop/Interop.csproj -nologo -v q >/dev/null
fi
bench_dll=bench/Grpc.Bench/bin/Release/net10.0/Grpc.Bench.dll
interop_dll=tests/Interop/bin/Release/net10.0/Interop.dll
descriptors=tests/Interop/bin/Release/net10.0/interop.pb
dotnet "$bench_dll" --mode request --size "$SIZE" --out "$work/request.bin"

start() {
  case $1 in
    layer) start_server layer dotnet "$bench_dll" --mode layer --port 0 ;;
    bare) start_server bare dotnet "$bench_dll" --mode bare --port 0 ;;
    python) start_server python /usr/bin/python3 tests/Interop/python/interop_server.py --port=0 --descriptor_set="$descriptors" --workers=16 ;;
    node) start_server node node tests/Interop/node/server.js --port=0 ;;
  esac
}

settings="h2load: unary calls for ${DURATION} s per round after a warm-up of $WARMUP calls + ${WARMUP_SECONDS} s per target, $CLIENTS connections x $STREAMS streams, ${SIZE}-byte payloads, $ROUNDS rounds"
echo "$settings"
for s in "${SERVERS[@]}"; do
  start "$s"
  # A real gRPC client checks the server answers UnaryCall correctly before it is measured.
  dotnet "$interop_dll" --client --server_port "${port[$s]}" --test_case large_unary >/dev/null \
    || { echo "$s failed the large_unary check" >&2; exit 1; }
  warm_up "${port[$s]}"
done
run_rounds "${SERVERS[@]}"

echo
echo "best round of each:"
for s in "${SERVERS[@]}"; do
  printf "  %-7s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   server CPU %6.1f us/call\n" "$s" "${rps[$s]}" "${p50[$s]}" "${p99[$s]}" "${cpu[$s]}"
done
write_tsv "$work/best.tsv" "${SERVERS[@]}"
python3 "$root/bench/lib/h2json.py" grpc "$work/best.tsv" "$out_dir/grpc.json" "$started" "$machine" "$settings"
python3 -c '
import json, sys
for t in json.load(open(sys.argv[1]))["tables"]:
    if t["caption"].startswith("ratios"):
        for r in t["rows"]:
            print(f"  {r[0]:32} calls/s {r[1]:>7}   per CPU second {r[2]:>7}   {r[3]} {r[4]}")' "$out_dir/grpc.json"
