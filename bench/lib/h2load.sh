#!/usr/bin/env bash
# Shared by bench/grpc/run.sh and bench/gateway/run.sh (sourced, not run): start servers that print
# "Listening on port N", drive them with h2load (Debian nghttp2-client) in rounds of alternating
# order, keep the best round of each, and write the results as TSV for the JSON writer.
# The caller sets root, work (a temporary folder) and, per target NAME: port[NAME] (where h2load goes), cpu_pids[NAME] (whose CPU is counted)
# and, optionally, header[NAME] (one more request header, "name: value", e.g. a bearer token).
# The load, from the environment or these defaults (the same for every h2load benchmark).
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-2}
CLIENTS=${CLIENTS:-8}
STREAMS=${STREAMS:-16}
SIZE=${SIZE:-100}
WARMUP=${WARMUP:-60000}
WARMUP_SECONDS=${WARMUP_SECONDS:-10}
declare -A pid port cpu_pids header rps p50 p99 cpu
declare -a all_rounds=()

h2load_require() {
  command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client (scripts/install-test-deps.sh)" >&2; exit 1; }
}

# start NAME COMMAND...: runs the server in the background, waits for "Listening on port N".
start_server() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>&1 &
  pid[$name]=$!
  for _ in $(seq 1 300); do
    if grep -qs "Listening on port" "$work/$name.out"; then
      port[$name]=$(grep -o "Listening on port [0-9]*" "$work/$name.out" | head -1 | grep -o "[0-9]*$")
      cpu_pids[$name]=${pid[$name]}
      return 0
    fi
    kill -0 "${pid[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not start:" >&2; cat "$work/$name.out" >&2; exit 1
}

# wait_port PORT: until something accepts TCP connections on 127.0.0.1:PORT.
wait_port() {
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2; exit 1
}

stop_servers() {
  local p
  for p in "${pid[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pid[@]}"; do wait "$p" 2>/dev/null || true; done
}

h2() { # h2 PORT ARGS...: unary grpc.testing.TestService/UnaryCall calls with the framed request
  local p=$1; shift
  h2load -c "$CLIENTS" -m "$STREAMS" -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$work/request.bin" "$@" "http://127.0.0.1:$p/grpc.testing.TestService/UnaryCall"
}

# warm_up PORT [H2LOAD ARGS...]: WARMUP calls, then WARMUP_SECONDS more seconds of load. .NET's
# tiered JIT keeps recompiling hot methods for a while after start (longer on a loaded machine, and
# longer for a process with more code, like the gateway); a count of calls alone can end before that does.
warm_up() {
  local p=$1; shift
  h2 "$p" "$@" -n "$WARMUP" >/dev/null
  [ "${WARMUP_SECONDS:-0}" -gt 0 ] && h2 "$p" "$@" -D "$WARMUP_SECONDS" >/dev/null
  return 0
}

# extra_args NAME: the h2load arguments for header[NAME], if any (one per line, for mapfile).
extra_args() {
  [ -n "${header[$1]:-}" ] && printf '%s\n' -H "${header[$1]}"
  return 0
}

cpu_ticks() { # total user+system ticks of the given pids
  local total=0 p
  for p in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$total"
}

# measure NAME ROUND: one h2load run of DURATION seconds; keeps the best round of NAME.
measure() {
  local name=$1 round=$2 before after out log r done_count data l50 l99 c extra
  out="$work/$name.$round.h2load"; log="$work/$name.$round.log"
  mapfile -t extra < <(extra_args "$name")
  # shellcheck disable=SC2086
  before=$(cpu_ticks ${cpu_pids[$name]})
  h2 "${port[$name]}" "${extra[@]}" -D "$DURATION" --warm-up-time=1 --log-file="$log" >"$out"
  # shellcheck disable=SC2086
  after=$(cpu_ticks ${cpu_pids[$name]})
  grep -q " 0 failed, 0 errored" "$out" || { echo "$name: failed requests" >&2; cat "$out" >&2; exit 1; }
  r=$(grep -o "[0-9.]* req/s" "$out" | head -1 | grep -o "^[0-9.]*")
  done_count=$(grep -o "[0-9]* succeeded" "$out" | grep -o "^[0-9]*")
  # h2load counts any HTTP 200 as success, also a Trailers-Only gRPC error: every answer must carry
  # the response message (5-byte frame + SIZE-byte payload).
  data=$(grep -o "([0-9]*) data" "$out" | grep -o "[0-9]*")
  [ "$data" -ge $((done_count * SIZE)) ] || { echo "$name: answers without the response message ($data bytes for $done_count calls)" >&2; exit 1; }
  read -r l50 l99 < <(python3 -c '
import sys
v = sorted(int(l.split("\t")[2]) for l in open(sys.argv[1]) if l.strip())
print(v[len(v) // 2] / 1000, v[min(len(v) - 1, int(len(v) * 0.99))] / 1000)' "$log")
  c=$(python3 -c "import os; print(($after - $before) / os.sysconf('SC_CLK_TCK') / max(1, $done_count) * 1e6)")
  printf "  round %d %-8s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   server CPU %6.1f us/call\n" "$round" "$name" "$r" "$l50" "$l99" "$c"
  all_rounds+=("$round	$name	$r	$l50	$l99	$c")
  if [ -z "${rps[$name]:-}" ] || python3 -c "import sys; sys.exit(0 if $r > ${rps[$name]} else 1)"; then
    rps[$name]=$r; p50[$name]=$l50; p99[$name]=$l99; cpu[$name]=$c
  fi
}

# run_rounds NAME...: ROUNDS rounds, the order reversed every second round so that no target is
# always measured first (or right after the same neighbour).
run_rounds() {
  local targets=("$@") order round i s
  for round in $(seq 1 "$ROUNDS"); do
    order=("${targets[@]}")
    if [ $((round % 2)) -eq 0 ]; then
      order=(); for ((i=${#targets[@]}-1; i>=0; i--)); do order+=("${targets[$i]}"); done
    fi
    for s in "${order[@]}"; do measure "$s" "$round"; done
  done
}

# write_tsv FILE NAME...: "best" rows (name rps p50 p99 cpu) then "round" rows.
write_tsv() {
  local file=$1 s row; shift
  : >"$file"
  for s in "$@"; do printf "best\t%s\t%s\t%s\t%s\t%s\n" "$s" "${rps[$s]}" "${p50[$s]}" "${p99[$s]}" "${cpu[$s]}" >>"$file"; done
  for row in "${all_rounds[@]}"; do printf "round\t%s\n" "$row" >>"$file"; done
}
