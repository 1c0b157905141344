#!/usr/bin/env bash
# The cluster benchmark: starts the real cluster with scripts/cluster.sh (PostgreSQL, RabbitMQ,
# Teams, two Consultations, Reporting, gateway) in a temporary state folder on free ports, runs
# the load program (bench/cluster/Cluster.Bench.csproj), stops the cluster (also on failure).
# Writes $BENCH_OUT/cluster.json (default bench/out) and a summary on stdout. See README.md.
#
#   bench/cluster/run.sh                      # 60 s warm-up, 30 s per intake path, 128 clients, burst 75,000
#   BENCH_QUICK=1 bench/cluster/run.sh        # 30 s warm-up, 10 s, burst 20,000, 3 s page reads
#   CLUSTER_NO_BUILD=1 bench/cluster/run.sh   # the Release build exists (bench/run.sh builds first)
# Overrides: CLUSTER_BENCH_SECONDS, CLUSTER_BENCH_WARM_SECONDS (unmeasured load on both paths first), CLUSTER_BENCH_CLIENTS, CLUSTER_BENCH_BURST,
#            CLUSTER_BENCH_READ_SECONDS, CLUSTER_BENCH_DRAIN_MINUTES (bound on the waits, default 30),
#            CLUSTER_BENCH_KEEP_STATE=1 (keep the state folder and logs)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${BENCH_OUT:-$here/bench/out}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
mkdir -p "$out"
if [ "${BENCH_QUICK:-0}" = 1 ]; then seconds=10 warm_seconds=30 burst=20000 read_seconds=3; else seconds=30 warm_seconds=60 burst=75000 read_seconds=5; fi
seconds="${CLUSTER_BENCH_SECONDS:-$seconds}"
warm_seconds="${CLUSTER_BENCH_WARM_SECONDS:-$warm_seconds}"
burst="${CLUSTER_BENCH_BURST:-$burst}"
read_seconds="${CLUSTER_BENCH_READ_SECONDS:-$read_seconds}"
# 128 clients: each waits for its receipt before the next submission (a closed loop), so the rate
# is at most clients / mean latency. With 64 that bound, not the cluster, set the gateway path's
# rate (64 / ~32 ms = 2,000/s with the CPU 95 % busy); at 128 the cluster is the limit and its group
# commits are larger (13 % less CPU per response measured side by side; p99 accepted ~200 ms).
clients="${CLUSTER_BENCH_CLIENTS:-128}"
drain_minutes="${CLUSTER_BENCH_DRAIN_MINUTES:-30}"
cluster="$here/scripts/cluster.sh"
load="$here/bench/cluster/bin/Release/net10.0/Cluster.Bench.dll"

if [ "${CLUSTER_NO_BUILD:-0}" != 1 ]; then
  dotnet build "$here/bench/cluster/Cluster.Bench.csproj" -c Release -nologo -v quiet >/dev/null
fi
[ -f "$load" ] || { echo "cluster bench: $load is missing; build Release or run without CLUSTER_NO_BUILD=1" >&2; exit 1; }

# Free loopback ports, none of the defaults (a developer's cluster may be running), all below
# Linux's ephemeral range (32768 and up): a port free when picked could otherwise be taken by an
# outgoing connection of a process started earlier before its own server binds it. RabbitMQ also
# takes RABBIT_PORT+1 (epmd) and RABBIT_PORT+20000 (distribution).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
taken=" "
pick() { # low high
  local p
  for _ in $(seq 1 200); do
    p=$(( $1 + RANDOM % ($2 - $1) ))
    case "$taken" in *" $p "*) continue ;; esac
    listening "$p" || { taken="$taken$p "; echo "$p"; return 0; }
  done
  echo "cluster bench: no free port in $1-$2" >&2; return 1
}
while :; do
  RABBIT_PORT=$(pick 11000 12700)
  listening $((RABBIT_PORT + 1)) || listening $((RABBIT_PORT + 20000)) || break
done
taken="$taken$((RABBIT_PORT + 1)) $((RABBIT_PORT + 20000)) "
PG_PORT=$(pick 13000 30000); TEAMS_PORT=$(pick 13000 30000); REPORTING_PORT=$(pick 13000 30000)
CONSULTATIONS_PORTS="$(pick 13000 30000) $(pick 13000 30000)"
GATEWAY_HTTP_PORT=$(pick 13000 30000); GATEWAY_GRPC_PORT=$(pick 13000 30000)
export PG_PORT RABBIT_PORT TEAMS_PORT CONSULTATIONS_PORTS REPORTING_PORT GATEWAY_HTTP_PORT GATEWAY_GRPC_PORT
# The gateway's per-client submission limit (10 a minute) would measure the limiter, not intake:
# every process of this cluster inherits the raised limit; only the gateway reads it.
export Gateway__RateLimits__Submissions__PermitLimit=1000000000

state="$(mktemp -d "${TMPDIR:-/tmp}/cluster-bench.XXXXXX")"
finish() {
  local rc=$?
  "$cluster" stop "$state" >/dev/null 2>&1 || true
  if [ "$rc" -ne 0 ] || [ "${CLUSTER_BENCH_KEEP_STATE:-0}" = 1 ]; then
    echo "cluster bench: state and logs kept in $state" >&2
  else
    rm -rf "$state"
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

"$cluster" start "$state"
token() { "$cluster" token "$state" -- "$@"; }
BENCH_TOKEN_SECRETARIAT="$(token --sub bench-secretariat --role secretariat)"
BENCH_TOKEN_MEMBER_STATE="$(token --sub bench-member-state --role member-state --country CH)"
BENCH_TOKEN_PARTNER="$(token --sub bench-partner --role stakeholder --org bench-partner-org)"
export BENCH_TOKEN_SECRETARIAT BENCH_TOKEN_MEMBER_STATE BENCH_TOKEN_PARTNER

dotnet "$load" \
  --gateway-grpc "http://127.0.0.1:$GATEWAY_GRPC_PORT" --gateway-web "http://127.0.0.1:$GATEWAY_HTTP_PORT" \
  --consultations "$(for p in $CONSULTATIONS_PORTS; do printf 'http://127.0.0.1:%s ' "$p"; done)" \
  --postgres "Host=127.0.0.1;Port=$PG_PORT;Username=postgres" --state "$state" --out "$out/cluster.json" \
  --seconds "$seconds" --warm-seconds "$warm_seconds" --clients "$clients" --burst "$burst" --read-seconds "$read_seconds" --drain-minutes "$drain_minutes"
