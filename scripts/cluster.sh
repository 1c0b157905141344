#!/usr/bin/env bash
# Starts the cluster mode as plain processes on this machine, without Docker: PostgreSQL and
# RabbitMQ from their Debian binaries (private instances in a state folder, loopback only),
# each service and the gateway as its own process, two instances of Consultations.
#
#   scripts/cluster.sh start [STATE_DIR]   # builds (Release), starts everything, prints addresses
#   scripts/cluster.sh stop  [STATE_DIR]   # stops everything started by `start`
#
# Ports (override with environment variables of the same name):
#   PG_PORT=55432 RABBIT_PORT=55672 TEAMS_PORT=5101 CONSULTATIONS_PORTS="5102 5112"
#   REPORTING_PORT=5103 GATEWAY_HTTP_PORT=5100 GATEWAY_GRPC_PORT=5110
# The development signing key below is for local runs only; a token can be minted with
# `dotnet run --project services/Teams -- dev-token ...` (see README).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-start}"
state="${2:-$here/.cluster}"
PG_PORT="${PG_PORT:-55432}"
RABBIT_PORT="${RABBIT_PORT:-55672}"
TEAMS_PORT="${TEAMS_PORT:-5101}"
CONSULTATIONS_PORTS="${CONSULTATIONS_PORTS:-5102 5112}"
REPORTING_PORT="${REPORTING_PORT:-5103}"
GATEWAY_HTTP_PORT="${GATEWAY_HTTP_PORT:-5100}"
GATEWAY_GRPC_PORT="${GATEWAY_GRPC_PORT:-5110}"
AUTH_KEY="${AUTH_KEY:-$(printf 'local-cluster-development-key-32b' | base64)}"
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

stop_all() {
  if [ -d "$state/pids" ]; then
    for f in "$state"/pids/*.pid; do
      [ -e "$f" ] || continue
      kill "$(cat "$f")" 2>/dev/null || true
      rm -f "$f"
    done
  fi
  if [ -d "$state/pg" ]; then runuser -u postgres -- "$pgbin/pg_ctl" -D "$state/pg" -m fast stop >/dev/null 2>&1 || true; fi
  if [ -f "$state/rabbit.env" ]; then
    (set -a; . "$state/rabbit.env"; set +a; rabbitmqctl -n "$RABBITMQ_NODENAME" shutdown >/dev/null 2>&1 || true; epmd -kill >/dev/null 2>&1 || true)
  fi
}

wait_port() { # host port seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "cluster: nothing listens on $1:$2 after $3 s" >&2; return 1
}

start_service() { # name project port extra-env...
  local name="$1" dll="$2" port="$3"; shift 3
  env "$@" ASPNETCORE_URLS="http://127.0.0.1:$port" Kestrel__EndpointDefaults__Protocols=Http2 \
    Database__Provider=Postgres ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$RABBIT_PORT/" \
    Auth__Issuer=wsis-local Auth__Audience=wsis Auth__SigningKeys__0="$AUTH_KEY" \
    dotnet "$dll" >"$state/logs/$name.log" 2>&1 &
  echo $! >"$state/pids/$name.pid"
}

case "$cmd" in
  stop) stop_all; echo "cluster: stopped"; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop [STATE_DIR]" >&2; exit 2 ;;
esac

"$here/scripts/install-test-deps.sh"
stop_all
mkdir -p "$state/logs" "$state/pids"
chmod 755 "$state"

echo "cluster: building (Release)"
dotnet build "$here/Microservices.sln" -c Release -nologo -v quiet >/dev/null
bin() { echo "$here/$1/bin/Release/net10.0/$2.dll"; }

# PostgreSQL: initdb refuses root, so the cluster belongs to the postgres user.
if [ ! -f "$state/pg/PG_VERSION" ]; then
  mkdir -p "$state/pg" && chown postgres "$state/pg"
  runuser -u postgres -- "$pgbin/initdb" -D "$state/pg" -U postgres --auth=trust >/dev/null
fi
chown postgres "$state/pg"
runuser -u postgres -- "$pgbin/pg_ctl" -D "$state/pg" -l "$state/logs/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $state/pg -c max_connections=300" start >/dev/null
for db in teams consultations reporting; do
  runuser -u postgres -- "$pgbin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || runuser -u postgres -- "$pgbin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
done

# RabbitMQ: a private node on loopback with its own epmd port.
mkdir -p "$state/rabbit"
cat >"$state/rabbit.env" <<ENV
HOME=$state/rabbit
RABBITMQ_NODENAME=rabbit-cluster@localhost
RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
RABBITMQ_NODE_PORT=$RABBIT_PORT
RABBITMQ_DIST_PORT=$((RABBIT_PORT + 100))
ERL_EPMD_ADDRESS=127.0.0.1
ERL_EPMD_PORT=$((RABBIT_PORT + 1))
RABBITMQ_MNESIA_BASE=$state/rabbit/mnesia
RABBITMQ_LOG_BASE=$state/rabbit/log
RABBITMQ_ENABLED_PLUGINS_FILE=$state/rabbit/enabled_plugins
RABBITMQ_CONFIG_FILE=$state/rabbit/rabbitmq
ENV
echo "[]." >"$state/rabbit/enabled_plugins"
echo "loopback_users = none" >"$state/rabbit/rabbitmq.conf"
(set -a; . "$state/rabbit.env"; set +a; rabbitmq-server >"$state/logs/rabbitmq.log" 2>&1 & echo $! >"$state/pids/rabbitmq.pid")
wait_port 127.0.0.1 "$RABBIT_PORT" 120

pg() { echo "Host=127.0.0.1;Port=$PG_PORT;Database=$1;Username=postgres"; }
start_service teams "$(bin services/Teams Teams)" "$TEAMS_PORT" ConnectionStrings__Teams="$(pg teams)"
i=0; dests=""
for port in $CONSULTATIONS_PORTS; do
  i=$((i + 1))
  start_service "consultations-$i" "$(bin services/Consultations Consultations)" "$port" ConnectionStrings__Consultations="$(pg consultations)"
  dests="$dests ReverseProxy__Clusters__consultations__Destinations__c$i__Address=http://127.0.0.1:$port"
done
start_service reporting "$(bin services/Reporting Reporting)" "$REPORTING_PORT" ConnectionStrings__Reporting="$(pg reporting)"
# shellcheck disable=SC2086
env $dests ASPNETCORE_URLS= \
  Kestrel__Endpoints__Web__Url="http://127.0.0.1:$GATEWAY_HTTP_PORT" Kestrel__Endpoints__Web__Protocols=Http1 \
  Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$GATEWAY_GRPC_PORT" Kestrel__Endpoints__Grpc__Protocols=Http2 \
  ReverseProxy__Clusters__teams__Destinations__d1__Address="http://127.0.0.1:$TEAMS_PORT" \
  ReverseProxy__Clusters__reporting__Destinations__d1__Address="http://127.0.0.1:$REPORTING_PORT" \
  Auth__Issuer=wsis-local Auth__Audience=wsis Auth__SigningKeys__0="$AUTH_KEY" \
  dotnet "$(bin gateway Gateway)" >"$state/logs/gateway.log" 2>&1 &
echo $! >"$state/pids/gateway.pid"

for port in "$TEAMS_PORT" $CONSULTATIONS_PORTS "$REPORTING_PORT" "$GATEWAY_HTTP_PORT" "$GATEWAY_GRPC_PORT"; do wait_port 127.0.0.1 "$port" 60; done
cat <<MSG
cluster: up (state and logs in $state)
  web pages and JSON   http://127.0.0.1:$GATEWAY_HTTP_PORT/
  gRPC (gateway)       http://127.0.0.1:$GATEWAY_GRPC_PORT  (h2c)
  Teams                http://127.0.0.1:$TEAMS_PORT
  Consultations        $(for p in $CONSULTATIONS_PORTS; do printf 'http://127.0.0.1:%s ' "$p"; done)
  Reporting            http://127.0.0.1:$REPORTING_PORT
  PostgreSQL           127.0.0.1:$PG_PORT (user postgres)
  RabbitMQ             amqp://guest:guest@127.0.0.1:$RABBIT_PORT/
stop with: $0 stop $state
MSG
