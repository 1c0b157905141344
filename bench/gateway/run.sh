#!/usr/bin/env bash
# The gateway's cost: the same unary gRPC calls (grpc.testing.TestService/UnaryCall, h2load with
# the settings of bench/grpc/run.sh) sent, in one run, to
#   direct  - a backend: the official gRPC server (bench/Grpc.Bench --mode layer)
#   gateway - the gateway's gRPC (HTTP/2) port (YARP), which routes them to that same backend
#   nginx   - Debian's nginx-light with grpc_pass and upstream keepalive in front of the same backend
# ROUNDS rounds in alternating order, best round of each. The gateway is the deployable
# (deploy/Gateway/bin/Release/.../Gateway.dll, its appsettings.json) with one route added through
# environment variables, as an operator would: ReverseProxy:Routes:bench matches
# /grpc.testing.TestService/{**rest} and goes to ReverseProxy:Clusters:bench (the backend, HTTP/2).
# GATEWAY_VARIANTS="name:KEY=VALUE,KEY=VALUE;name2:..." adds gateways with extra environment, each
# measured beside the others (how the tuning in bench/gateway/README.md was measured).
# Writes $BENCH_OUT/gateway.json (default bench/out; see bench/README.md).
# Usage: bench/gateway/run.sh   (env: DURATION=8 ROUNDS=2 CLIENTS=8 STREAMS=16 SIZE=100 WARMUP=60000 WARMUP_SECONDS=10 NO_BUILD=1 GATEWAY_VARIANTS=)
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

# nginx for the comparison only (not a test dependency): Debian's nginx-light, its own default
# instance stopped (this benchmark starts a private one).
if ! command -v nginx >/dev/null; then
  echo "installing nginx-light (for the comparison)..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
  $SUDO service nginx stop >/dev/null 2>&1 || true
fi

if [ "${NO_BUILD:-0}" != 1 ]; then
  echo "building (Release)..."
  for project in bench/Grpc.Bench/Grpc.Bench.csproj tests/Interop/Interop.csproj deploy/Gateway/Gateway.Deployable.csproj; do
    dotnet build -c Release "$project" -nologo -v q >/dev/null
  done
fi
bench_dll=bench/Grpc.Bench/bin/Release/net10.0/Grpc.Bench.dll
interop_dll=tests/Interop/bin/Release/net10.0/Interop.dll
gateway_dll=deploy/Gateway/bin/Release/net10.0/Gateway.dll
dotnet "$bench_dll" --mode request --size "$SIZE" --out "$work/request.bin"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_server direct dotnet "$bench_dll" --mode layer --port 0
backend=${port[direct]}

# start_gateway NAME [KEY=VALUE...]: the deployable gateway as its Dockerfile runs it (Production
# environment and log levels from its appsettings.json, inline socket completions), routing the benchmark's service to the backend. The service clusters of
# appsettings.json stay configured; their active health checks are off (no services run here, their
# probes would be noise). The bench cluster speaks HTTP/2 to the backend, as the service clusters do.
start_gateway() {
  local name=$1; shift
  local grpc_port web_port
  grpc_port=$(free_port); web_port=$(free_port)
  env ASPNETCORE_URLS= ASPNETCORE_ENVIRONMENT=Production DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
    Kestrel__Endpoints__Web__Url="http://127.0.0.1:$web_port" \
    Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$grpc_port" \
    Auth__SigningKeys__0="$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
    ReverseProxy__Routes__bench__ClusterId=bench \
    ReverseProxy__Routes__bench__AuthorizationPolicy=valid-token-or-none \
    ReverseProxy__Routes__bench__Match__Path='/grpc.testing.TestService/{**rest}' \
    ReverseProxy__Routes__bench__Timeout=00:00:30 \
    ReverseProxy__Clusters__bench__HttpRequest__Version=2 \
    ReverseProxy__Clusters__bench__HttpRequest__VersionPolicy=RequestVersionExact \
    ReverseProxy__Clusters__bench__Destinations__d1__Address="http://127.0.0.1:$backend" \
    ReverseProxy__Clusters__teams__HealthCheck__Active__Enabled=false \
    ReverseProxy__Clusters__consultations__HealthCheck__Active__Enabled=false \
    ReverseProxy__Clusters__reporting__HealthCheck__Active__Enabled=false \
    "$@" \
    dotnet "$gateway_dll" >"$work/$name.out" 2>&1 &
  pid[$name]=$!
  wait_port "$grpc_port"
  port[$name]=$grpc_port
  cpu_pids[$name]="${pid[$name]} ${pid[direct]}"
}

start_gateway gateway
targets=(direct gateway)
IFS=';' read -r -a variants <<<"${GATEWAY_VARIANTS:-}"
for variant in "${variants[@]}"; do
  [ -n "$variant" ] || continue
  name=${variant%%:*}
  IFS=',' read -r -a settings <<<"${variant#*:}"
  start_gateway "$name" "${settings[@]}"
  targets+=("$name")
done

# nginx: one worker per core, HTTP/2 to the client, grpc_pass to the backend over kept-alive connections.
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  # nginx ends a client's HTTP/2 connection after 1000 requests by default (and h2load does not
  # reconnect), and an upstream connection likewise: neither limit is part of the comparison.
  keepalive_requests 100000000;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  upstream backend {
    server 127.0.0.1:$backend;
    keepalive 128;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:$nginx_port http2;
    http2_max_concurrent_streams 128;
    location / { grpc_pass grpc://backend; }
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx.out" 2>&1 &
pid[nginx]=$!
wait_port "$nginx_port"
port[nginx]=$nginx_port
sleep 0.5
# The master and its workers.
cpu_pids[nginx]="$(pgrep -P "${pid[nginx]}" | tr '\n' ' ')${pid[nginx]} ${pid[direct]}"
targets+=(nginx)

settings="h2load: unary calls for ${DURATION} s per round after a warm-up of $WARMUP calls + ${WARMUP_SECONDS} s per target, $CLIENTS connections x $STREAMS streams, ${SIZE}-byte payloads, $ROUNDS rounds"
echo "$settings"
for s in "${targets[@]}"; do
  # A real gRPC client checks the call is answered correctly (through the route) before measuring.
  dotnet "$interop_dll" --client --server_port "${port[$s]}" --test_case large_unary >/dev/null \
    || { echo "$s failed the large_unary check" >&2; cat "$work/$s.out" >&2 2>/dev/null || true; exit 1; }
  warm_up "${port[$s]}"
done
run_rounds "${targets[@]}"

echo
echo "best round of each:"
for s in "${targets[@]}"; do
  printf "  %-16s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   server-side CPU %6.1f us/call\n" "$s" "${rps[$s]}" "${p50[$s]}" "${p99[$s]}" "${cpu[$s]}"
done
write_tsv "$work/best.tsv" "${targets[@]}"
python3 "$root/bench/lib/h2json.py" gateway "$work/best.tsv" "$out_dir/gateway.json" "$started" "$machine" "$settings"
python3 -c "print(f'  through the gateway / direct: {${rps[gateway]} / ${rps[direct]} * 100:.0f} % of the calls/s (target >= 40 %); nginx / direct: {${rps[nginx]} / ${rps[direct]} * 100:.0f} %')"
python3 -c "print(f'  gateway CPU per forwarded call (gateway + backend - backend alone): {${cpu[gateway]} - ${cpu[direct]}:.1f} us; nginx: {${cpu[nginx]} - ${cpu[direct]}:.1f} us')"
