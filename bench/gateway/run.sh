#!/usr/bin/env bash
# The gateway's cost: the same unary gRPC calls (grpc.testing.TestService/UnaryCall, h2load with
# the settings of bench/grpc/run.sh) sent
#   direct  - to a backend: this project's gRPC layer (bench/Grpc.Bench --mode layer)
#   gateway - to the gateway's gRPC (HTTP/2) port, which routes them to that same backend
# in one run, ROUNDS rounds in alternating order, best round of each. The gateway is the
# deployable (gateway/bin/Release/.../Gateway.dll, its appsettings.json) with one route added
# through environment variables, as an operator would: ReverseProxy:Routes:bench matches
# /grpc.testing.TestService/{**rest} and goes to ReverseProxy:Clusters:bench (the backend).
# Writes $BENCH_OUT/gateway.json (default bench/out; see bench/README.md).
# Usage: bench/gateway/run.sh   (env: DURATION=8 ROUNDS=2 CLIENTS=8 STREAMS=16 SIZE=100 WARMUP=60000 WARMUP_SECONDS=10 NO_BUILD=1)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
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

if [ "${NO_BUILD:-0}" != 1 ]; then
  echo "building (Release)..."
  for project in bench/Grpc.Bench/Grpc.Bench.csproj tests/Interop/Interop.csproj gateway/Gateway.csproj; do
    dotnet build -c Release "$project" -nologo -v q >/dev/null
  done
fi
bench_dll=bench/Grpc.Bench/bin/Release/net10.0/Grpc.Bench.dll
interop_dll=tests/Interop/bin/Release/net10.0/Interop.dll
gateway_dll=gateway/bin/Release/net10.0/Gateway.dll
dotnet "$bench_dll" --mode request --size "$SIZE" --out "$work/request.bin"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_server direct dotnet "$bench_dll" --mode layer --port 0
backend=${port[direct]}
grpc_port=$(free_port); web_port=$(free_port)
# Production environment and log levels from the gateway's appsettings.json. The service clusters
# of appsettings.json stay configured; their active health checks are turned off (no services run
# here, and their probes would be noise).
env ASPNETCORE_URLS= ASPNETCORE_ENVIRONMENT=Production \
  Kestrel__Endpoints__Web__Url="http://127.0.0.1:$web_port" \
  Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$grpc_port" \
  Auth__SigningKeys__0="$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
  ReverseProxy__Routes__bench__ClusterId=bench \
  ReverseProxy__Routes__bench__Match__Path='/grpc.testing.TestService/{**rest}' \
  ReverseProxy__Routes__bench__Timeout=00:00:30 \
  ReverseProxy__Clusters__bench__Destinations__d1__Address="http://127.0.0.1:$backend" \
  ReverseProxy__Clusters__teams__HealthCheck__Active__Enabled=false \
  ReverseProxy__Clusters__consultations__HealthCheck__Active__Enabled=false \
  ReverseProxy__Clusters__reporting__HealthCheck__Active__Enabled=false \
  dotnet "$gateway_dll" >"$work/gateway.out" 2>&1 &
pid[gateway]=$!
wait_port "$grpc_port"
port[gateway]=$grpc_port
cpu_pids[gateway]="${pid[gateway]} ${pid[direct]}"

settings="h2load: unary calls for ${DURATION} s per round after a warm-up of $WARMUP calls + ${WARMUP_SECONDS} s per target, $CLIENTS connections x $STREAMS streams, ${SIZE}-byte payloads, $ROUNDS rounds"
echo "$settings"
for s in direct gateway; do
  # A real gRPC client checks the call is answered correctly (through the route) before measuring.
  dotnet "$interop_dll" --client --server_port "${port[$s]}" --test_case large_unary >/dev/null \
    || { echo "$s failed the large_unary check" >&2; cat "$work/gateway.out" >&2; exit 1; }
  warm_up "${port[$s]}"
done
run_rounds direct gateway

echo
echo "best round of each:"
for s in direct gateway; do
  printf "  %-8s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   server-side CPU %6.1f us/call\n" "$s" "${rps[$s]}" "${p50[$s]}" "${p99[$s]}" "${cpu[$s]}"
done
write_tsv "$work/best.tsv" direct gateway
python3 "$root/bench/lib/h2json.py" gateway "$work/best.tsv" "$out_dir/gateway.json" "$started" "$machine" "$settings"
python3 -c "print(f'  through the gateway / direct: {${rps[gateway]} / ${rps[direct]} * 100:.0f} % of the calls/s (target >= 70 %)')"
