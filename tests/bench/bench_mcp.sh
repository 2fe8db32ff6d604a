#!/usr/bin/env bash
# MCP tools/call throughput and latency, side by side in one run, over
# Streamable HTTP with wrk (bench_mcp.lua, on an initialized session) at
# 1, 8 and 32 connections, for:
#   nginx       a 3-byte static file: the loopback floor of this machine
#   isolated    skillhost serve, testing/noop echo in a sandboxed worker
#               (the default policy)
#   in-process  the same with --in-process
#   official    the official TypeScript server
#               (@modelcontextprotocol/server-everything, its echo tool)
# then what one call costs the server (CPU microseconds of the server and
# of its workers, and context switches, from /proc: figures that do not
# swing with the CPU the load generator and the peer take), the ratios
# the performance goals are stated in, and stdio with bench_mcp_stdio (a
# pipelined driver).
#
#   tests/bench/bench_mcp.sh [BUILD_DIR]      (default: build)
#   BENCH_SECONDS=10 tests/bench/bench_mcp.sh build
#   BENCH_CONN_LIST="1 8 32"     connection counts; the goals are checked
#                                at 1 and at the last (BENCH_CONNS=N alone
#                                means "1 N")
#   BENCH_ONLY="isolated nginx"  a subset of the four
#   BENCH_STDIO=0                skip the stdio part
#   SH_FLAGS=...                 more flags for both skillhost servers
#   BENCH_AUDIT=0                no home folder, so no audit log is written
#                                (before this switch the benchmark ran so)
#   tests/bench/bench_mcp.sh --oauth [BUILD_DIR]
#                                skillhost only: the static --token-file
#                                against OAuth (JWT from a local issuer,
#                                JWKS cached; BENCH_ALG=RS256|ES256|EdDSA,
#                                default ES256), interleaved in one run
#                                (BENCH_ROUNDS rounds each, default 2),
#                                with the ratio (goal: within 10%)
#
# Loopback only; every run is bounded in time and stops by itself.
set -uo pipefail
OAUTH=0
[ "${1:-}" = --oauth ] && { OAUTH=1; shift; }
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
SH=$build/host/skillhost
NOOP=$build/skills-out/lib/testing-noop.so
STDIO_DRIVER=$build/tests/bench_mcp_stdio
WAKEUP=$build/tests/bench_wakeup
NM=$top/tests/node/node_modules
EVERYTHING=$NM/@modelcontextprotocol/server-everything/dist/index.js
LUA=$top/tests/bench/bench_mcp.lua
SECS=${BENCH_SECONDS:-10}
if [ -n "${BENCH_CONN_LIST:-}" ]; then
  CONN_LIST=$BENCH_CONN_LIST
elif [ -n "${BENCH_CONNS:-}" ]; then
  CONN_LIST="1 $BENCH_CONNS"
else
  CONN_LIST="1 8 32"
fi
ONLY=${BENCH_ONLY:-nginx isolated in-process official}
STDIO=${BENCH_STDIO:-1}
THREADS=${BENCH_WRK_THREADS:-2}
STDIO_CALLS=${BENCH_STDIO_CALLS:-100000}
SH_FLAGS=${SH_FLAGS:-}

AUTH=${AUTH:-}
for need in "$SH" "$NOOP" "$EVERYTHING" "$STDIO_DRIVER" "$WAKEUP"; do
  [ -e "$need" ] || { echo "bench_mcp: missing $need (build, and run scripts/deps.sh)" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "bench_mcp: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
TMP=$(mktemp -d /tmp/bench-mcp.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
[ -n "${BENCH_KEEP:-}" ] && trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; echo "kept $TMP"' EXIT
export SKILLHOST_HOME=$TMP/home
# The home exists, as on any host with skills installed, so every call
# writes its audit record as it does for operators (a missing home turns
# the log off).
[ "${BENCH_AUDIT:-1}" = 0 ] || mkdir -p "$SKILLHOST_HOME"

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_http() { # wait_http URL
  for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench_mcp: nothing answers at $1" >&2; exit 1
}
# session URL: initialize and send initialized; prints the session id.
session() {
  local sid
  local auth=()
  [ -n "$AUTH" ] && auth=(-H "Authorization: $AUTH")
  sid=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' "${auth[@]}" \
    -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' \
    "$1" | awk 'tolower($1)=="mcp-session-id:" {print $2}' | tr -d '\r')
  curl -s -o /dev/null -H 'Content-Type: application/json' "${auth[@]}" \
    -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $sid" \
    -H 'MCP-Protocol-Version: 2025-11-25' \
    -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$1"
  printf '%s' "$sid"
}
# load NAME URL SID TOOL ARGS CONNS SECS: one wrk run; prints "rps p50 p99 errors".
load() {
  MCP_SESSION=$3 MCP_TOOL=$4 MCP_ARGS=$5 MCP_AUTH=$AUTH wrk -t"$(( $6 < THREADS ? $6 : THREADS ))" \
    -c"$6" -d"$7"s --timeout 10s -s "$LUA" "$2" > "$TMP/$1.wrk" 2>"$TMP/$1.err"
  awk '/^mcp_rps/ {r=$2} /^mcp_p50_us/ {p=$2} /^mcp_p99_us/ {q=$2}
       /^mcp_errors/ {e=$2} /^mcp_socket_errors/ {s=$2}
       END {printf "%s %s %s %d\n", r, p, q, e + s}' "$TMP/$1.wrk"
}

wanted() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
# start_skillhost NAME FLAGS...: a server on a free port; its URL in U[NAME].
declare -A U R P50 P99 SPID CPU CSW
start_skillhost() {
  local name=$1
  shift
  # Its own TMPDIR, where its workers' scratch folders go: that names
  # them on their command line (new_workers).
  mkdir -p "$TMP/tmp-$name"
  TMPDIR=$TMP/tmp-$name "$SH" $SH_FLAGS "$@" serve --http 127.0.0.1:0 --skill "$NOOP" \
    --ready-file "$TMP/$name.ready" --reload-interval 0 2>"$TMP/$name.err" &
  PIDS+=($!)
  SPID[$name]=$!
  for _ in $(seq 100); do [ -s "$TMP/$name.ready" ] && break; sleep 0.1; done
  [ -s "$TMP/$name.ready" ] || { echo "bench_mcp: skillhost ($name) did not start:" >&2; cat "$TMP/$name.err" >&2; exit 1; }
  U[$name]=$(cat "$TMP/$name.ready")/mcp
}

# --- OAuth against the static token ---
if [ "$OAUTH" = 1 ]; then
  ALG=${BENCH_ALG:-ES256}
  AUD=https://bench.example/mcp
  node "$top/tests/bench/bench_issuer.mjs" "$NM" "$TMP/issuer" "$AUD" "$ALG" 2>"$TMP/issuer.err" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$TMP/issuer.url" ] && break; sleep 0.1; done
  [ -s "$TMP/issuer.url" ] || { echo "bench_mcp: the issuer did not start: $(cat "$TMP/issuer.err")" >&2; exit 1; }
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/tok"; chmod 600 "$TMP/tok"
  "$SH" $SH_FLAGS serve --http 127.0.0.1:0 --skill "$NOOP" --ready-file "$TMP/static.ready" \
    --reload-interval 0 --token-file "$TMP/tok" 2>"$TMP/static.err" &
  PIDS+=($!)
  "$SH" $SH_FLAGS serve --http 127.0.0.1:0 --skill "$NOOP" --ready-file "$TMP/oauth.ready" \
    --reload-interval 0 --auth-issuer "$(cat "$TMP/issuer.url")" --auth-audience "$AUD" 2>"$TMP/oauth.err" &
  PIDS+=($!)
  for f in static oauth; do
    for _ in $(seq 100); do [ -s "$TMP/$f.ready" ] && break; sleep 0.1; done
    [ -s "$TMP/$f.ready" ] || { echo "bench_mcp: the $f server did not start: $(cat "$TMP/$f.err")" >&2; exit 1; }
  done
  JWT=$(cat "$TMP/issuer.token")
  ROUNDS=${BENCH_ROUNDS:-2}
  CONNSET=$(printf '%s\n' $CONN_LIST | awk '!seen[$0]++' | tr '\n' ' ')
  echo "MCP tools/call with OAuth on vs the static token ($(nproc) CPUs; wrk ${SECS}s x $ROUNDS rounds, interleaved; loopback)"
  echo "  skillhost $("$SH" --version | awk 'NR == 1 {print $2}'), testing/noop echo; JWT $ALG (${#JWT} bytes) from a local issuer, JWKS cached"
  echo "  load before: $(uptime)"
  printf '\n%-34s %12s %10s %10s %8s\n' "HTTP" "req/s" "p50 us" "p99 us" "errors"
  declare -A R
  for conns in $CONNSET; do
    R[static-$conns]=0; R[oauth-$conns]=0
    # Interleaved rounds, so a change in the machine's load falls on
    # both sides alike; the ratio is of the sums.
    for round in $(seq "$ROUNDS"); do
      for who in static oauth; do
        url=$(cat "$TMP/$who.ready")/mcp
        if [ "$who" = static ]; then AUTH="Bearer $(cat "$TMP/tok")"; else AUTH="Bearer $JWT"; fi
        sid=$(session "$url")
        [ -n "$sid" ] || { echo "bench_mcp: no session from the $who server" >&2; exit 1; }
        [ "$round" = 1 ] && load warm "$url" "$sid" echo '{"text":"hello"}' "$conns" 2 >/dev/null
        read -r rps p50 p99 err < <(load "$who-$conns-$round" "$url" "$sid" echo '{"text":"hello"}' "$conns" "$SECS")
        R[$who-$conns]=$(awk -v a="${R[$who-$conns]}" -v b="$rps" 'BEGIN {print a + b}')
        printf '%-34s %12s %10s %10s %8s\n' "$who token, $conns conn, round $round" "$rps" "$p50" "$p99" "$err"
      done
    done
  done
  for conns in $CONNSET; do
    awk -v s="${R[static-$conns]}" -v o="${R[oauth-$conns]}" -v c="$conns" \
      'BEGIN {printf "ratio (oauth / static) at %d conn: %.3f (%+.1f%%)\n", c, o / s, (o / s - 1) * 100}'
  done
  echo "  load after: $(uptime)"
  exit 0
fi

# --- the servers ---
# What one call costs, which unlike req/s does not depend on how much CPU
# the load generator and the peer leave: the CPU time and the context
# switches of a server process and of its workers over a run, from /proc.
# Workers run in their own session and PID namespace, so a server's are
# found by the scratch folder on their command line, in its own TMPDIR.
CLK_TCK=$(getconf CLK_TCK)
# proc_cost PID...: "cpu_ticks context_switches" summed over the processes
# and all their threads; processes that are gone count nothing.
proc_cost() {
  local ticks=0 csw=0 p t
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    # Fields 14 and 15 (utime, stime) count after the ")" of the name.
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
    ticks=$((ticks + ${t:-0}))
    t=$(cat /proc/"$p"/task/*/status 2>/dev/null |
      awk '/^(non)?voluntary_ctxt_switches/ {n += $2} END {print n + 0}')
    csw=$((csw + t))
  done
  echo "$ticks $csw"
}
workers_of() { # NAME
  pgrep -f -- "--scratch $TMP/tmp-$1/" | tr '\n' ' '
}
# cost_mark NAME: before a run; cost_take NAME CALLS: after it, into
# CPU[NAME-server], CPU[NAME-workers] (microseconds per call) and
# CSW[NAME] (context switches per call, server and workers).
declare -A MARK_S MARK_W COST
cost_mark() {
  MARK_S[$1]=$(proc_cost "${SPID[$1]}")
  MARK_W[$1]=$(proc_cost $(workers_of "$1"))
}
cost_take() {
  local s w
  s=$(proc_cost "${SPID[$1]}")
  w=$(proc_cost $(workers_of "$1"))
  read -r CPU[$1-server] CPU[$1-workers] CSW[$1] < <(awk -v s0="${MARK_S[$1]}" \
    -v w0="${MARK_W[$1]}" -v s1="$s" -v w1="$w" -v n="$2" -v hz="$CLK_TCK" '
    BEGIN { split(s0, a); split(w0, b); split(s1, c); split(w1, d)
      if (n <= 0) { print "- - -"; exit }
      printf "%.1f %.1f %.2f\n", (c[1] - a[1]) * 1e6 / hz / n,
        (d[1] - b[1]) * 1e6 / hz / n, (c[2] - a[2] + d[2] - b[2]) / n }')
}
wanted isolated && start_skillhost isolated
wanted in-process && start_skillhost in-process --in-process
if wanted official; then
  PORT=$(free_port)
  PORT=$PORT node "$EVERYTHING" streamableHttp > /dev/null 2>"$TMP/everything.err" &
  PIDS+=($!)
  U[official]=http://127.0.0.1:$PORT/mcp
  wait_http "${U[official]}"
fi
# The loopback floor of this machine: nginx serving a 3-byte file to the
# same wrk. No server's latency can be under it here.
if wanted nginx; then
  if command -v nginx >/dev/null; then
    NGX_PORT=$(free_port)
    mkdir -p "$TMP/nginx/html" && printf 'hi\n' >"$TMP/nginx/html/x"
    # Run as root, nginx serves as nobody: the file must be readable to it
    # (mktemp -d makes $TMP private), or every answer is a 403.
    chmod a+rx "$TMP" "$TMP/nginx" "$TMP/nginx/html" && chmod a+r "$TMP/nginx/html/x"
    cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 256; }
http { access_log off; keepalive_requests 100000000; server { listen 127.0.0.1:$NGX_PORT; root $TMP/nginx/html; } }
EOF
    nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" 2>>"$TMP/nginx/error.log" &
    PIDS+=($!)
    U[nginx]=http://127.0.0.1:$NGX_PORT/x
    wait_http "${U[nginx]}"
  else
    echo "bench_mcp: nginx is not installed, so there is no floor (apt-get install nginx)" >&2
    ONLY=${ONLY//nginx/}
  fi
fi
# nginx_load CONNS SECS: wrk's own percentiles; prints "rps p50 p99 errors".
nginx_load() {
  wrk -t"$(( $1 < THREADS ? $1 : THREADS ))" -c"$1" -d"$2"s --latency "${U[nginx]}" >"$TMP/nginx.wrk" 2>&1
  awk 'function us(v) { if (v ~ /ms$/) return v * 1000; if (v ~ /us$/) return v + 0; return v * 1e6 }
       /^ +50%/ {p=us($2)} /^ +99%/ {q=us($2)} /^Requests\/sec/ {r=$2}
       /Socket errors/ || /Non-2xx/ {e=1}
       END {printf "%.0f %d %d %s\n", r, p, q, e ? "yes" : 0}' "$TMP/nginx.wrk"
}

# Steal: the share of this VM's CPU time its hypervisor gave to others
# during a run (the 8th figure of /proc/stat's cpu line). On a shared VM it
# swings from 0 to most of a run, and every figure of that row with it.
cpu_line() { awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print $9, t; exit}' /proc/stat; }
steal_pct() { # steal_pct "STEAL0 TOTAL0" "STEAL1 TOTAL1"
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y)
    if (y[2] - x[2] <= 0) print "-"; else printf "%.0f\n", (y[1] - x[1]) * 100 / (y[2] - x[2]) }'
}

echo "MCP tools/call benchmark ($(nproc) CPUs; wrk ${SECS}s per row, up to $THREADS wrk threads; loopback)"
echo "  skillhost $("$SH" --version | awk 'NR == 1 {print $2}') (testing/noop echo, $("$SH" --version | sed -n 's/^allocator: //p')) vs @modelcontextprotocol/server-everything $(node -p "require('$NM/@modelcontextprotocol/server-everything/package.json').version") (echo)"
echo "  load before: $(uptime)"
# What one hand-off between threads costs here (bench_wakeup): a call
# crosses threads several times and nginx's file not at all, so this says
# how far above the loopback floor a call's latency can sit on this machine.
"$WAKEUP" 2>/dev/null | awk '/^wakeup_any_us/ {a=$2} /^wakeup_same_cpu_us/ {s=$2} /^wakeup_other_cpu_us/ {o=$2}
  /^wakeup_proc_any_us/ {pa=$2} /^wakeup_proc_same_cpu_us/ {ps=$2}
  END {printf "  thread hand-off round trip (bench_wakeup): %s us any CPU, %s us same CPU, %s us other CPU\n", a, s, o
       printf "  process hand-off round trip (an isolated call'"'"'s trip to its worker): %s us any CPU, %s us same CPU\n", pa, ps}'
printf '\n%-34s %12s %10s %10s %8s %7s\n' "HTTP" "req/s" "p50 us" "p99 us" "errors" "steal%"
for conns in $CONN_LIST; do
  for who in nginx isolated in-process official; do
    wanted "$who" || continue
    if [ "$who" = nginx ]; then
      st0=$(cpu_line)
      read -r rps p50 p99 err < <(nginx_load "$conns" "$SECS")
    else
      url=${U[$who]}; tool=echo; args='{"text":"hello"}'
      [ "$who" = official ] && args='{"message":"hello"}'
      sid=$(session "$url")
      # A short warm-up, so the JIT and caches of either side are ready.
      load warm "$url" "$sid" "$tool" "$args" "$conns" 2 >/dev/null
      [ -n "${SPID[$who]:-}" ] && cost_mark "$who"
      st0=$(cpu_line)
      read -r rps p50 p99 err < <(load "$who-$conns" "$url" "$sid" "$tool" "$args" "$conns" "$SECS")
      # A worker that started during the run counts from its start, one
      # that ended during it not at all: the pool is warm by now.
      [ -n "${SPID[$who]:-}" ] &&
        cost_take "$who" "$(awk -v r="$rps" -v s="$SECS" 'BEGIN {printf "%d", r * s}')" &&
        COST[$who-$conns]="${CPU[$who-server]} ${CPU[$who-workers]} ${CSW[$who]}"
    fi
    steal=$(steal_pct "$st0" "$(cpu_line)")
    R[$who-$conns]=$rps; P50[$who-$conns]=$p50; P99[$who-$conns]=$p99
    printf '%-34s %12s %10s %10s %8s %7s\n' "$who, $conns conn" "$rps" "$p50" "$p99" "$err" "$steal"
  done
done
if wanted isolated; then
  sid=$(session "${U[isolated]}")
  read -r rps p50 p99 err < <(load ping "${U[isolated]}" "$sid" "" "{}" 1 "$SECS")
  printf '%-34s %12s %10s %10s %8s\n' "skillhost ping, 1 conn (transport)" "$rps" "$p50" "$p99" "$err"
fi
echo "  load after: $(uptime)"

# The cost of one call on the server's side (the load generator's and
# the peer's CPU are not in it): why isolated and in-process differ.
printf '\n%-34s %12s %12s %14s\n' "cost per call" "server us" "workers us" "ctx switches"
for conns in $CONN_LIST; do
  for who in isolated in-process; do
    [ -n "${COST[$who-$conns]:-}" ] || continue
    read -r a b c <<<"${COST[$who-$conns]}"
    printf '%-34s %12s %12s %14s\n' "$who, $conns conn" "$a" "$b" "$c"
  done
done

# ratio A B CONNS ARRAY: A's figure over B's, or "-" when either is missing.
ratio() {
  local -n f=$4
  awk -v a="${f[$1-$3]:-}" -v b="${f[$2-$3]:-}" \
    'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f\n", a / b }'
}
row() { # LABEL A B ARRAY
  printf '%-34s' "$1"
  for conns in $CONN_LIST; do printf ' %9s' "$(ratio "$2" "$3" "$conns" "$4")"; done
  printf '\n'
}
printf '\n%-34s' "ratios"
for conns in $CONN_LIST; do printf ' %9s' "$conns conn"; done
printf '\n'
row "isolated / official, req/s" isolated official R
row "in-process / official, req/s" in-process official R
row "isolated / in-process, req/s" isolated in-process R
row "isolated / nginx, p50" isolated nginx P50
row "in-process / nginx, p50" in-process nginx P50
row "isolated / in-process, p99" isolated in-process P99
# The goals (issue 20): at 1 connection, p50 within 1.5x of the floor; at
# the most connections, 15x the official server's req/s with p99 <= 10 ms.
last=${CONN_LIST##* }
goal() { # TEXT MET
  printf '  goal: %-62s %s\n' "$1" "$([ "$2" = 1 ] && echo met || echo "NOT met")"
}
if [ -n "${P50[nginx-1]:-}" ] && [ -n "${P50[isolated-1]:-}" ]; then
  goal "isolated p50 at 1 conn <= 1.5x nginx's ($(ratio isolated nginx 1 P50)x)" \
    "$(awk -v a="${P50[isolated-1]}" -v b="${P50[nginx-1]}" 'BEGIN {print (a <= 1.5 * b)}')"
fi
if [ -n "${R[official-$last]:-}" ] && [ -n "${R[isolated-$last]:-}" ]; then
  goal "isolated req/s at $last conns >= 15x official's ($(ratio isolated official "$last" R)x)" \
    "$(awk -v a="${R[isolated-$last]}" -v b="${R[official-$last]}" 'BEGIN {print (b > 0 && a >= 15 * b)}')"
  goal "isolated p99 at $last conns <= 10 ms (${P99[isolated-$last]} us)" \
    "$(awk -v a="${P99[isolated-$last]}" 'BEGIN {print (a <= 10000)}')"
fi

[ "$STDIO" = 0 ] && exit 0
wanted isolated && wanted official || exit 0

printf '\n%-34s %12s %10s %10s %8s\n' "stdio (pipelined)" "calls/s" "p50 us" "p99 us" "errors"
for window in 32 1; do
  "$STDIO_DRIVER" --calls "$STDIO_CALLS" --window "$window" --tool echo \
    --args '{"text":"hello"}' --label "skillhost, window $window" -- \
    "$SH" $SH_FLAGS serve --stdio --skill "$NOOP" --reload-interval 0 2>>"$TMP/stdio.err"
  "$STDIO_DRIVER" --calls "$(( STDIO_CALLS / 5 ))" --window "$window" --tool echo \
    --args '{"message":"hello"}' --label "official, window $window" -- \
    node "$EVERYTHING" stdio 2>>"$TMP/stdio.err"
done
