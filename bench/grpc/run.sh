#!/usr/bin/env bash
# Unary gRPC throughput and latency with h2load (Debian nghttp2-client), servers answering the
# same grpc.testing.TestService/UnaryCall (SIZE-byte payload each way), all on Kestrel h2c but the peers:
#   official - the official grpc-dotnet server (Grpc.AspNetCore), a plain AddGrpc()
#   defaults - grpc-dotnet as the services set it up: AddServiceDefaults() (AddGrpcDefaults: the
#              error interceptor, the guarded method provider, health, reflection; logs, problem details)
#   auth     - defaults + AddBearerAuthentication() (JwtBearer, policies); the method [AllowAnonymous]
#              like a public read, called without a token
#   token    - auth with the method [Authorize(Policy = Policies.Authenticated)], every call carrying
#              an HS256 bearer token (a partner's call)
#   bare     - Kestrel HTTP/2 with the gRPC framing written by hand (the ceiling)
#   python   - Python grpcio (Debian python3-grpcio)
#   node     - Node @grpc/grpc-js
# The servers are measured in turn, ROUNDS times in alternating order, and the best round of
# each is kept, so that a burst of other work on a shared machine does not decide the comparison.
# Server CPU per call is reported too: it depends much less on other load than req/s.
# Writes $BENCH_OUT/grpc.json (default bench/out; see bench/README.md).
# Usage: bench/grpc/run.sh   (env: DURATION=8 ROUNDS=2 CLIENTS=8 STREAMS=16 SIZE=100 WARMUP=60000 WARMUP_SECONDS=10
#        ONLY=official,bare NO_BUILD=1 to skip the build)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
SERVERS=(official defaults auth token bare python node)
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
    official|defaults|auth|bare) start_server "$1" dotnet "$bench_dll" --mode "$1" --port 0 ;;
    token)
      start_server token dotnet "$bench_dll" --mode token --port 0
      header[token]="authorization: Bearer $(sed -n 's/^Bearer token: //p' "$work/token.out" | head -1)" ;;
    python) start_server python /usr/bin/python3 tests/Interop/python/interop_server.py --port=0 --descriptor_set="$descriptors" --workers=16 ;;
    node) start_server node node tests/Interop/node/server.js --port=0 ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
}

# A real gRPC client checks the server answers UnaryCall correctly before it is measured: the
# interop suite's large_unary case, or for token (which that client cannot authenticate) a
# Grpc.Net.Client call that must be refused without the token and answered with it.
check() {
  if [ "$1" = token ]; then
    dotnet "$bench_dll" --mode check --port "${port[token]}" --size "$SIZE" --token "${header[token]#authorization: Bearer }"
  else
    dotnet "$interop_dll" --client --server_port "${port[$1]}" --test_case large_unary >/dev/null
  fi
}

grpc_version=$(sed -n 's/.*Include="Grpc.AspNetCore" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
grpcio_version=$(/usr/bin/python3 -c 'import grpc; print(grpc.__version__)')
grpcjs_version=$(node -p 'require("./tests/Interop/node/node_modules/@grpc/grpc-js/package.json").version')
versions="Versions: Grpc.AspNetCore $grpc_version on .NET $(dotnet --list-runtimes | sed -n 's/^Microsoft.AspNetCore.App \([0-9.]*\).*/\1/p' | tail -1) (tiered compilation on and dynamic PGO off, as in the services), Python grpcio $grpcio_version, Node @grpc/grpc-js $grpcjs_version on Node $(node --version)."

settings="h2load: unary calls for ${DURATION} s per round after a warm-up of $WARMUP calls + ${WARMUP_SECONDS} s per target, $CLIENTS connections x $STREAMS streams, ${SIZE}-byte payloads, $ROUNDS rounds"
echo "$settings"
echo "$versions"
for s in "${SERVERS[@]}"; do
  start "$s"
  check "$s" || { echo "$s failed the UnaryCall check" >&2; exit 1; }
  mapfile -t extra < <(extra_args "$s")
  warm_up "${port[$s]}" "${extra[@]}"
done
run_rounds "${SERVERS[@]}"

echo
echo "best round of each:"
for s in "${SERVERS[@]}"; do
  printf "  %-8s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   server CPU %6.1f us/call\n" "$s" "${rps[$s]}" "${p50[$s]}" "${p99[$s]}" "${cpu[$s]}"
done
write_tsv "$work/best.tsv" "${SERVERS[@]}"
python3 "$root/bench/lib/h2json.py" grpc "$work/best.tsv" "$out_dir/grpc.json" "$started" "$machine" "$settings" "$versions"
python3 -c '
import json, sys
for t in json.load(open(sys.argv[1]))["tables"]:
    if t["caption"].startswith("ratios"):
        for r in t["rows"]:
            print(f"  {r[0]:44} calls/s {r[1]:>7}   per CPU second {r[2]:>7}   {r[3]} {r[4]}")' "$out_dir/grpc.json"
