#!/usr/bin/env bash
# Unary gRPC throughput and latency with h2load (Debian nghttp2-client), four servers answering
# the same grpc.testing.TestService/UnaryCall (SIZE-byte payload each way):
#   layer  - this project's gRPC layer (platform/Grpc) on Kestrel
#   bare   - Kestrel HTTP/2 with the gRPC framing written by hand (the ceiling)
#   python - Python grpcio (Debian python3-grpcio)
#   node   - Node @grpc/grpc-js
# The servers are measured in turn, ROUNDS times interleaved, and the best round of each is
# kept, so that a burst of other work on a shared machine does not decide the comparison.
# Server CPU per call is reported too: it depends much less on other load than req/s.
# Usage: bench/grpc/run.sh   (env: DURATION=8 ROUNDS=2 CLIENTS=8 STREAMS=16 SIZE=100 WARMUP=60000 ONLY=layer,bare)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-2}
CLIENTS=${CLIENTS:-8}
STREAMS=${STREAMS:-16}
SIZE=${SIZE:-100}
WARMUP=${WARMUP:-60000}
SERVERS=(layer bare python node)
[ -n "${ONLY:-}" ] && IFS=, read -r -a SERVERS <<<"$ONLY"
work="$(mktemp -d)"
declare -A pid port
cleanup() {
  for p in "${pid[@]}"; do kill "$p" 2>/dev/null || true; done
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

command_of() {
  case $1 in
    layer) echo dotnet "$bench_dll" --mode layer --port 0 ;;
    bare) echo dotnet "$bench_dll" --mode bare --port 0 ;;
    python) echo /usr/bin/python3 tests/Interop/python/interop_server.py --port=0 --descriptor_set="$descriptors" --workers=16 ;;
    node) echo node tests/Interop/node/server.js --port=0 ;;
  esac
}

start() { # start NAME: runs the server, waits for "Listening on port N"
  local name=$1
  # shellcheck disable=SC2046
  $(command_of "$name") >"$work/$name.out" 2>&1 &
  pid[$name]=$!
  for _ in $(seq 1 150); do
    if grep -q "Listening on port" "$work/$name.out"; then
      port[$name]=$(grep -o "Listening on port [0-9]*" "$work/$name.out" | grep -o "[0-9]*$")
      return 0
    fi
    sleep 0.1
  done
  echo "$name did not start:"; cat "$work/$name.out"; exit 1
}

h2() { # h2 PORT ARGS...
  local p=$1; shift
  h2load -c "$CLIENTS" -m "$STREAMS" -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$work/request.bin" "$@" "http://127.0.0.1:$p/grpc.testing.TestService/UnaryCall"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

declare -A rps p50 p99 cpu
measure() { # measure NAME ROUND
  local name=$1 round=$2 before after out log r
  out="$work/$name.$round.h2load"; log="$work/$name.$round.log"
  before=$(cpu_ticks "${pid[$name]}")
  h2 "${port[$name]}" -D "$DURATION" --warm-up-time=1 --log-file="$log" >"$out"
  after=$(cpu_ticks "${pid[$name]}")
  grep -q " 0 failed, 0 errored" "$out" || { echo "$name: failed requests"; cat "$out"; exit 1; }
  r=$(grep -o "[0-9.]* req/s" "$out" | head -1 | grep -o "^[0-9.]*")
  local done_count
  done_count=$(grep -o "[0-9]* succeeded" "$out" | grep -o "^[0-9]*")
  read -r l50 l99 < <(/usr/bin/python3 -c '
import sys
v = sorted(int(l.split("\t")[2]) for l in open(sys.argv[1]) if l.strip())
print(v[len(v) // 2] / 1000, v[min(len(v) - 1, int(len(v) * 0.99))] / 1000)' "$log")
  local c
  c=$(/usr/bin/python3 -c "import os; print(($after - $before) / os.sysconf('SC_CLK_TCK') / max(1, $done_count) * 1e6)")
  printf "  round %d %-7s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   server CPU %6.1f us/call\n" "$round" "$name" "$r" "$l50" "$l99" "$c"
  if [ -z "${rps[$name]:-}" ] || /usr/bin/python3 -c "import sys; sys.exit(0 if $r > ${rps[$name]} else 1)"; then
    rps[$name]=$r; p50[$name]=$l50; p99[$name]=$l99; cpu[$name]=$c
  fi
}

echo "h2load: unary calls for ${DURATION}s per round, $CLIENTS connections x $STREAMS streams, ${SIZE}-byte payloads, $ROUNDS rounds"
for s in "${SERVERS[@]}"; do
  start "$s"
  # A real gRPC client checks the server answers UnaryCall correctly before it is measured.
  dotnet "$interop_dll" --client --server_port "${port[$s]}" --test_case large_unary >/dev/null \
    || { echo "$s failed the large_unary check"; exit 1; }
  h2 "${port[$s]}" -n "$WARMUP" >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  for s in "${SERVERS[@]}"; do measure "$s" "$round"; done
done

echo
echo "best round of each:"
for s in "${SERVERS[@]}"; do
  printf "  %-7s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   server CPU %6.1f us/call\n" "$s" "${rps[$s]}" "${p50[$s]}" "${p99[$s]}" "${cpu[$s]}"
done
ratio() { [ -n "$1" ] && [ -n "$2" ] && /usr/bin/python3 -c "print(f'{float(\"$1\") / float(\"$2\") * 100:.0f}%')" || echo "n/a"; }
echo "throughput (req/s) ratios:"
echo "  layer / bare   : $(ratio "${rps[layer]:-}" "${rps[bare]:-}")   (target >= 80%)"
echo "  layer / python : $(ratio "${rps[layer]:-}" "${rps[python]:-}")"
echo "  layer / node   : $(ratio "${rps[layer]:-}" "${rps[node]:-}")"
echo "efficiency (calls per server CPU second) ratios:"
echo "  layer / bare   : $(ratio "${cpu[bare]:-}" "${cpu[layer]:-}")"
echo "  layer / python : $(ratio "${cpu[python]:-}" "${cpu[layer]:-}")"
echo "  layer / node   : $(ratio "${cpu[node]:-}" "${cpu[layer]:-}")"
