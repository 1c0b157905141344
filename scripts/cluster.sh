#!/usr/bin/env bash
# Starts the cluster mode as plain processes on this machine, without Docker: PostgreSQL and
# RabbitMQ from their Debian binaries (private instances in a state folder, loopback only),
# each service and the gateway as its own process, two instances of Consultations.
#
#   scripts/cluster.sh start [STATE_DIR]   # installs missing packages, builds (Release), starts, prints addresses
#   scripts/cluster.sh stop  [STATE_DIR]   # stops everything `start` started (data stays in STATE_DIR)
#   scripts/cluster.sh token [STATE_DIR] -- <DevToken arguments>   # a bearer token the cluster accepts
#
# STATE_DIR defaults to .cluster/ in the repository. Ports (environment variables):
#   PG_PORT=55432 RABBIT_PORT=55672 TEAMS_PORT=5101 CONSULTATIONS_PORTS="5102 5112"
#   REPORTING_PORT=5103 GATEWAY_HTTP_PORT=5100 GATEWAY_GRPC_PORT=5110
# CLUSTER_NO_BUILD=1 skips the install and build steps (the Release build must exist).
# CLUSTER_PG_OPTIONS adds PostgreSQL server options ("-c name=value ..."), e.g. for diagnosis.
# The HS256 signing key is generated once per state folder (STATE_DIR/auth-key); nothing secret
# is written in this script.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-start}"
state="${2:-$here/.cluster}"
case "$state" in /*) ;; *) state="$PWD/$state" ;; esac
PG_PORT="${PG_PORT:-55432}"
RABBIT_PORT="${RABBIT_PORT:-55672}"
TEAMS_PORT="${TEAMS_PORT:-5101}"
CONSULTATIONS_PORTS="${CONSULTATIONS_PORTS:-5102 5112}"
REPORTING_PORT="${REPORTING_PORT:-5103}"
GATEWAY_HTTP_PORT="${GATEWAY_HTTP_PORT:-5100}"
GATEWAY_GRPC_PORT="${GATEWAY_GRPC_PORT:-5110}"
ISSUER=wsis-local
AUDIENCE=wsis
rabbit_bin=/usr/lib/rabbitmq/bin
bin() { echo "$here/$1/bin/Release/net10.0/$2.dll"; }

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

rabbit_env() { # the private node's environment, for rabbitmq-server and rabbitmqctl alike
  cat <<ENV
HOME=$state/rabbit/home
RABBITMQ_NODENAME=wsis-cluster@localhost
RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
RABBITMQ_NODE_PORT=$RABBIT_PORT
RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000 > 65000 ? RABBIT_PORT - 20000 : RABBIT_PORT + 20000))
ERL_EPMD_ADDRESS=127.0.0.1
ERL_EPMD_PORT=$((RABBIT_PORT + 1))
RABBITMQ_MNESIA_BASE=$state/rabbit/mnesia
RABBITMQ_LOG_BASE=$state/rabbit/log
RABBITMQ_ENABLED_PLUGINS_FILE=$state/rabbit/enabled_plugins
RABBITMQ_CONFIG_FILE=$state/rabbit/rabbitmq
RABBITMQ_CONF_ENV_FILE=$state/rabbit/rabbitmq-env.conf
RABBITMQ_PID_FILE=$state/rabbit/rabbit.pid
RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}
RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}
ENV
}

with_rabbit_env() { # command...
  local -a vars=()
  while IFS= read -r line; do vars+=("$line"); done < <(rabbit_env)
  env "${vars[@]}" "$@"
}

stop_all() {
  if [ -d "$state/pids" ]; then
    # The gateway first, then the services, so nothing is routed to a process that is going away.
    for name in gateway reporting consultations-1 consultations-2 consultations-3 consultations-4 teams; do
      local f="$state/pids/$name.pid"
      [ -f "$f" ] || continue
      local pid; pid="$(cat "$f")"
      if kill -TERM "$pid" 2>/dev/null; then
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
      fi
      rm -f "$f"
    done
  fi
  if [ -f "$state/rabbit/rabbit.pid" ]; then
    with_rabbit_env "$rabbit_bin/rabbitmqctl" -n wsis-cluster@localhost shutdown >/dev/null 2>&1 \
      || kill -KILL "$(cat "$state/rabbit/rabbit.pid")" 2>/dev/null || true
    with_rabbit_env epmd -kill >/dev/null 2>&1 || true
    rm -f "$state/rabbit/rabbit.pid" "$state/pids/rabbitmq.pid"
  fi
  if [ -f "$state/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$(pgbin)/pg_ctl" -D "$state/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

wait_port() { # port seconds name
  for _ in $(seq 1 $(( $2 * 10 ))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "cluster: $3 does not listen on 127.0.0.1:$1 after $2 s; see $state/logs/$3.log" >&2
  tail -n 20 "$state/logs/$3.log" >&2 2>/dev/null || true
  return 1
}

auth_key() {
  if [ ! -s "$state/auth-key" ]; then
    (umask 077; head -c 32 /dev/urandom | base64 >"$state/auth-key")
  fi
  cat "$state/auth-key"
}

log_key() { # the consultation logs' checkpoint key (ECDSA P-256, PEM), one for every instance
  if [ ! -s "$state/consultations-log-key.pem" ]; then
    (umask 077; openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt >"$state/consultations-log-key.pem")
  fi
  cat "$state/consultations-log-key.pem"
}

start_service() { # name dll port extra-env...
  local name="$1" dll="$2" port="$3"; shift 3
  # Kestrel:Endpoints in a service's appsettings.json wins over ASPNETCORE_URLS, so the endpoint
  # named Grpc (every service's) is overridden by name.
  # The content root is the build output, where appsettings.json is (the working directory is not).
  env "$@" ASPNETCORE_CONTENTROOT="$(dirname "$dll")" \
    ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$port" Kestrel__Endpoints__Grpc__Protocols=Http2 \
    Database__Provider=Postgres ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$RABBIT_PORT/" \
    Auth__Issuer="$ISSUER" Auth__Audience="$AUDIENCE" Auth__SigningKeys__0="$(auth_key)" \
    setsid dotnet "$dll" </dev/null >>"$state/logs/$name.log" 2>&1 &
  echo $! >"$state/pids/$name.pid"
}

case "$cmd" in
  stop) stop_all; echo "cluster: stopped (data kept in $state)"; exit 0 ;;
  token)
    shift 2 || true; [ "${1:-}" = "--" ] && shift
    exec env Auth__Issuer="$ISSUER" Auth__Audience="$AUDIENCE" Auth__SigningKeys__0="$(cat "$state/auth-key")" \
      Auth__DevelopmentTokens=true dotnet "$(bin tools/DevToken DevToken)" "$@" ;;
  start) ;;
  *) echo "usage: $0 start|stop|token [STATE_DIR] [-- DevToken arguments]" >&2; exit 2 ;;
esac

if [ "${CLUSTER_NO_BUILD:-0}" != 1 ]; then
  "$here/scripts/install-test-deps.sh"
  echo "cluster: building the deployables (Release)"
  for project in deploy/Teams/Teams.Deployable.csproj deploy/Consultations/Consultations.Deployable.csproj \
                 deploy/Reporting/Reporting.Deployable.csproj deploy/Gateway/Gateway.Deployable.csproj tools/DevToken/DevToken.csproj; do
    dotnet build "$here/$project" -c Release -nologo -v quiet >/dev/null
  done
fi
for dll in "$(bin deploy/Teams Teams)" "$(bin deploy/Consultations Consultations)" "$(bin deploy/Reporting Reporting)" "$(bin deploy/Gateway Gateway)"; do
  [ -f "$dll" ] || { echo "cluster: $dll is missing; run without CLUSTER_NO_BUILD=1" >&2; exit 1; }
done

stop_all
mkdir -p "$state/logs" "$state/pids" "$state/rabbit/home" "$state/rabbit/log"
chmod 755 "$state"
auth_key >/dev/null

# PostgreSQL: initdb refuses root, so the cluster belongs to the postgres user. random_page_cost as
# in docker-compose.yml (the tables are read from memory; see there).
pg="$(pgbin)"
[ -n "$pg" ] || { echo "cluster: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
if [ ! -f "$state/pg/PG_VERSION" ]; then
  mkdir -p "$state/pg" && chown postgres "$state/pg" && chmod 700 "$state/pg"
  runuser -u postgres -- "$pg/initdb" -D "$state/pg" -U postgres --auth=trust -E UTF8 >/dev/null
fi
touch "$state/logs/postgres.log" && chown postgres "$state/logs/postgres.log"
runuser -u postgres -- "$pg/pg_ctl" -D "$state/pg" -l "$state/logs/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $state/pg -c max_connections=300 -c random_page_cost=1.1 ${CLUSTER_PG_OPTIONS:-}" start >/dev/null
for db in teams consultations reporting; do
  "$pg/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || "$pg/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
done

# RabbitMQ: a private node on loopback with its own epmd port, run directly (Debian's wrapper in
# /usr/sbin would switch to the rabbitmq user and drop this environment).
[ -x "$rabbit_bin/rabbitmq-server" ] || { echo "cluster: RabbitMQ is not installed (apt-get install rabbitmq-server)" >&2; exit 1; }
echo "[]." >"$state/rabbit/enabled_plugins"
: >"$state/rabbit/rabbitmq-env.conf"
echo "loopback_users = none" >"$state/rabbit/rabbitmq.conf"
with_rabbit_env setsid "$rabbit_bin/rabbitmq-server" </dev/null >>"$state/logs/rabbitmq.log" 2>&1 &
echo $! >"$state/pids/rabbitmq.pid"
wait_port "$RABBIT_PORT" 120 rabbitmq
with_rabbit_env "$rabbit_bin/rabbitmqctl" -n wsis-cluster@localhost -q await_startup >/dev/null

pgcs() { echo "Host=127.0.0.1;Port=$PG_PORT;Database=$1;Username=postgres"; }
start_service teams "$(bin deploy/Teams Teams)" "$TEAMS_PORT" ConnectionStrings__Teams="$(pgcs teams)"
i=0; dests=()
for port in $CONSULTATIONS_PORTS; do
  i=$((i + 1))
  start_service "consultations-$i" "$(bin deploy/Consultations Consultations)" "$port" ConnectionStrings__Consultations="$(pgcs consultations)" \
    Consultations__Log__SigningKey="$(log_key)"
  dests+=("ReverseProxy__Clusters__consultations__Destinations__d${i}__Address=http://127.0.0.1:$port")
  # The first instance applies the migrations; the next ones start once it serves.
  if [ "$i" -eq 1 ]; then wait_port "$port" 90 "consultations-$i"; fi
done
start_service reporting "$(bin deploy/Reporting Reporting)" "$REPORTING_PORT" ConnectionStrings__Reporting="$(pgcs reporting)"
# As the gateway's Dockerfile runs it: inline socket completions (deploy/Gateway/Dockerfile, bench/gateway/README.md).
env "${dests[@]}" ASPNETCORE_URLS= ASPNETCORE_CONTENTROOT="$(dirname "$(bin deploy/Gateway Gateway)")" DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
  Kestrel__Endpoints__Web__Url="http://127.0.0.1:$GATEWAY_HTTP_PORT" Kestrel__Endpoints__Web__Protocols=Http1 \
  Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$GATEWAY_GRPC_PORT" Kestrel__Endpoints__Grpc__Protocols=Http2 \
  ReverseProxy__Clusters__teams__Destinations__d1__Address="http://127.0.0.1:$TEAMS_PORT" \
  ReverseProxy__Clusters__reporting__Destinations__d1__Address="http://127.0.0.1:$REPORTING_PORT" \
  Auth__Issuer="$ISSUER" Auth__Audience="$AUDIENCE" Auth__SigningKeys__0="$(auth_key)" \
  setsid dotnet "$(bin deploy/Gateway Gateway)" </dev/null >>"$state/logs/gateway.log" 2>&1 &
echo $! >"$state/pids/gateway.pid"

wait_port "$TEAMS_PORT" 90 teams
i=0; for port in $CONSULTATIONS_PORTS; do i=$((i + 1)); wait_port "$port" 90 "consultations-$i"; done
wait_port "$REPORTING_PORT" 90 reporting
wait_port "$GATEWAY_HTTP_PORT" 90 gateway
wait_port "$GATEWAY_GRPC_PORT" 30 gateway
cat <<MSG
cluster: up (state and logs in $state)
  web pages and JSON   http://127.0.0.1:$GATEWAY_HTTP_PORT/
  gRPC (gateway)       http://127.0.0.1:$GATEWAY_GRPC_PORT  (h2c)
  Teams                http://127.0.0.1:$TEAMS_PORT
  Consultations        $(for p in $CONSULTATIONS_PORTS; do printf 'http://127.0.0.1:%s ' "$p"; done)
  Reporting            http://127.0.0.1:$REPORTING_PORT
  PostgreSQL           127.0.0.1:$PG_PORT (user postgres; databases teams, consultations, reporting)
  RabbitMQ             amqp://guest:guest@127.0.0.1:$RABBIT_PORT/
a token:   $0 token $state -- --sub me --role secretariat
stop with: $0 stop $state
MSG
