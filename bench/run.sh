#!/usr/bin/env bash
# The benchmark suite, one command: installs what the benchmarks need when missing, builds
# Release once, runs every sub-benchmark in sequence (each writes $BENCH_OUT/<name>.json), then
# bench/report.py writes bench/RESULTS.md and bench/results.svg (and bench/results.json, from which
# the sections of sub-benchmarks not run this time are kept, marked as from an earlier run). A
# sub-benchmark that fails is reported as failed, the others still run, and the exit code is non-zero.
#
# Environment (all optional):
#   BENCH_QUICK=1        short runs for development (seconds per round, fewer events)
#   BENCH_OUT=DIR        where the <name>.json files and logs go (default bench/out)
#   BENCH_ONLY=a,b       run only these (grpc, gateway, messaging, intake-inprocess, consultations-log, cluster); the
#                        others keep their sections from bench/results.json, marked as from an earlier run
#   BENCH_DURATION, BENCH_ROUNDS  h2load seconds per round and rounds (grpc, gateway)
#   MESSAGING_EVENTS     events per path (messaging)
#   INTAKE_SECONDS, INTAKE_CLIENTS, INTAKE_BURST  (intake-inprocess)
#   BENCH_TIMEOUT        seconds after which a sub-benchmark is stopped and counted as failed
#   BENCH_NOTE           a line for the top of RESULTS.md (e.g. the machine's condition)
#   BENCH_NO_BUILD=1     use the Release build already there
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export BENCH_OUT="${BENCH_OUT:-$root/bench/out}"
mkdir -p "$BENCH_OUT"
BENCH_OUT="$(cd "$BENCH_OUT" && pwd)"
export BENCH_QUICK="${BENCH_QUICK:-0}"
# A full run replaces every result; with BENCH_ONLY the others stay (each says when it ran).
[ -z "${BENCH_ONLY:-}" ] && rm -f "$BENCH_OUT"/*.json "$BENCH_OUT"/*.log
export PYTHONPATH="$root/bench/lib"
if [ "$BENCH_QUICK" = 1 ]; then
  duration=${BENCH_DURATION:-3}; rounds=${BENCH_ROUNDS:-2}; warmup=20000; warmup_s=3
  events=${MESSAGING_EVENTS:-1000}; intake=(--seconds "${INTAKE_SECONDS:-5}" --clients "${INTAKE_CLIENTS:-32}" --burst "${INTAKE_BURST:-5000}")
  log=(--seconds "${LOG_SECONDS:-5}" --rounds 2 --clients 64 --leaves "${LOG_LEAVES:-100000}" --samples 100)
  limit=${BENCH_TIMEOUT:-900}
else
  duration=${BENCH_DURATION:-10}; rounds=${BENCH_ROUNDS:-3}; warmup=60000; warmup_s=10
  events=${MESSAGING_EVENTS:-3000}; intake=(--seconds "${INTAKE_SECONDS:-20}" --clients "${INTAKE_CLIENTS:-32}" --burst "${INTAKE_BURST:-75000}")
  log=(--seconds "${LOG_SECONDS:-15}" --rounds 3 --clients 64 --leaves "${LOG_LEAVES:-1000000}" --samples 300)
  limit=${BENCH_TIMEOUT:-2400}
fi
started=$(python3 -c "import benchjson; print(benchjson.now())")
machine=$(python3 -c "import benchjson; print(benchjson.machine())")

# What the benchmarks start for real: h2load, python3-grpcio, the grpc-js packages, PostgreSQL, RabbitMQ.
scripts/install-test-deps.sh || { echo "bench: installing the dependencies failed" >&2; exit 1; }

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "bench: building Release (bench/Bench.slnf)..."
  dotnet build bench/Bench.slnf -c Release -warnaserror -nologo -v quiet || { echo "bench: the build failed" >&2; exit 1; }
fi
# Sub-benchmarks use that build.
export NO_BUILD=1 CLUSTER_NO_BUILD=1 BENCH_NO_BUILD=1

declare -A status
ran=()
selected() { [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *",$1,"* ]]; }

# run_bench NAME COMMAND...: logs to $BENCH_OUT/NAME.log; failed if it exits non-zero, times
# out, or writes no $BENCH_OUT/NAME.json.
run_bench() {
  local name=$1; shift
  selected "$name" || return 0
  ran+=("$name")
  rm -f "$BENCH_OUT/$name.json"
  echo
  echo "=== $name: $*"
  timeout --kill-after=30 "$limit" "$@" 2>&1 | tee "$BENCH_OUT/$name.log"
  local code=${PIPESTATUS[0]}
  if [ "$code" -eq 0 ] && [ ! -s "$BENCH_OUT/$name.json" ]; then
    echo "bench: $name exited 0 but wrote no $name.json" | tee -a "$BENCH_OUT/$name.log"
    code=98
  fi
  [ "$code" -eq 124 ] && echo "bench: $name stopped after $limit s (BENCH_TIMEOUT)" | tee -a "$BENCH_OUT/$name.log"
  status[$name]=$code
  echo "=== $name: $([ "$code" -eq 0 ] && echo ok || echo "FAILED (exit $code)")"
}

h2env=(env DURATION="$duration" ROUNDS="$rounds" WARMUP="$warmup" WARMUP_SECONDS="$warmup_s")
run_bench grpc "${h2env[@]}" bench/grpc/run.sh
run_bench gateway "${h2env[@]}" bench/gateway/run.sh
run_bench messaging dotnet bench/messaging/bin/Release/net10.0/Messaging.Bench.dll "$events" 8 --json "$BENCH_OUT/messaging.json"
run_bench intake-inprocess dotnet bench/Consultations/bin/Release/net10.0/Consultations.Bench.dll "${intake[@]}" --json "$BENCH_OUT/intake-inprocess.json"
run_bench consultations-log dotnet bench/ConsultationsLog/bin/Release/net10.0/ConsultationsLog.Bench.dll "${log[@]}" --json "$BENCH_OUT/consultations-log.json"
if [ -f bench/cluster/run.sh ]; then
  run_bench cluster bash bench/cluster/run.sh
fi

finished=$(python3 -c "import benchjson; print(benchjson.now())")
failed=0
statuses=()
for name in "${ran[@]}"; do
  statuses+=("$name=${status[$name]}")
  [ "${status[$name]}" -eq 0 ] || failed=1
done
python3 - "$BENCH_OUT" "$started" "$finished" "$machine" "$BENCH_QUICK" "${BENCH_NOTE:-}" "${statuses[@]}" <<'PY'
import json, os, sys
out, started, finished, machine, quick, note = sys.argv[1:7]
benchmarks = {}
for item in sys.argv[7:]:
    name, code = item.rsplit("=", 1)
    entry = {"exit": int(code), "log": os.path.join(out, name + ".log")}
    if int(code) != 0:
        try:
            with open(entry["log"], errors="replace") as f:
                entry["tail"] = "".join(f.readlines()[-15:])
        except OSError:
            pass
    benchmarks[name] = entry
suite = {"started": started, "finished": finished, "machine": machine, "quick": quick == "1",
         "notes": [note] if note else [], "benchmarks": benchmarks}
with open(os.path.join(out, "_suite.json"), "w") as f:
    json.dump(suite, f, indent=2)
PY
echo
python3 bench/report.py || failed=1
for name in "${ran[@]}"; do
  printf "  %-18s %s\n" "$name" "$([ "${status[$name]}" -eq 0 ] && echo ok || echo "FAILED (exit ${status[$name]}, log $BENCH_OUT/$name.log)")"
done
exit "$failed"
