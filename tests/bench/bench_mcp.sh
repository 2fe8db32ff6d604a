#!/usr/bin/env bash
# MCP tools/call throughput and latency, side by side in one run:
#   skillhost serve (testing/noop echo) vs the official TypeScript server
#   (@modelcontextprotocol/server-everything, its echo tool),
# over Streamable HTTP with wrk (bench_mcp.lua, on an initialized session)
# and over stdio with bench_mcp_stdio (a pipelined driver).
#
#   tests/bench/bench_mcp.sh [BUILD_DIR]      (default: build)
#   BENCH_SECONDS=10 BENCH_CONNS=32 tests/bench/bench_mcp.sh build
#   SH_FLAGS=--in-process ...    the skill inside the server process (the
#                                default runs it in an isolated worker)
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
NM=$top/tests/node/node_modules
EVERYTHING=$NM/@modelcontextprotocol/server-everything/dist/index.js
LUA=$top/tests/bench/bench_mcp.lua
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-32}
THREADS=${BENCH_WRK_THREADS:-2}
STDIO_CALLS=${BENCH_STDIO_CALLS:-100000}
SH_FLAGS=${SH_FLAGS:-}

AUTH=${AUTH:-}
for need in "$SH" "$NOOP" "$EVERYTHING" "$STDIO_DRIVER"; do
  [ -e "$need" ] || { echo "bench_mcp: missing $need (build, and run scripts/deps.sh)" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "bench_mcp: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
TMP=$(mktemp -d /tmp/bench-mcp.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
export SKILLHOST_HOME=$TMP/home

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
  CONNSET=$(printf '%s\n' "$CONNS" 1 | awk '!seen[$0]++' | tr '\n' ' ')
  echo "MCP tools/call with OAuth on vs the static token ($(nproc) CPUs; wrk ${SECS}s x $ROUNDS rounds, interleaved; loopback)"
  echo "  skillhost $("$SH" --version | awk '{print $2}'), testing/noop echo; JWT $ALG (${#JWT} bytes) from a local issuer, JWKS cached"
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
"$SH" $SH_FLAGS serve --http 127.0.0.1:0 --skill "$NOOP" --ready-file "$TMP/sh.ready" \
  --reload-interval 0 2>"$TMP/skillhost.err" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/sh.ready" ] && break; sleep 0.1; done
SH_URL=$(cat "$TMP/sh.ready")/mcp
PORT=$(free_port)
PORT=$PORT node "$EVERYTHING" streamableHttp > /dev/null 2>"$TMP/everything.err" &
PIDS+=($!)
TS_URL=http://127.0.0.1:$PORT/mcp
wait_http "$TS_URL"

echo "MCP tools/call benchmark ($(nproc) CPUs; wrk ${SECS}s, $CONNS connections; loopback)"
echo "  skillhost $("$SH" --version | awk '{print $2}') (testing/noop echo) vs @modelcontextprotocol/server-everything $(node -p "require('$NM/@modelcontextprotocol/server-everything/package.json').version") (echo)"
printf '\n%-34s %12s %10s %10s %8s\n' "HTTP" "req/s" "p50 us" "p99 us" "errors"
declare -A R
for conns in "$CONNS" 1; do
  for who in skillhost official; do
    if [ "$who" = skillhost ]; then
      url=$SH_URL; tool=echo; args='{"text":"hello"}'
    else
      url=$TS_URL; tool=echo; args='{"message":"hello"}'
    fi
    sid=$(session "$url")
    # A short warm-up, so the JIT and caches of either side are ready.
    load warm "$url" "$sid" "$tool" "$args" "$conns" 2 >/dev/null
    read -r rps p50 p99 err < <(load "$who-$conns" "$url" "$sid" "$tool" "$args" "$conns" "$SECS")
    R[$who-$conns]=$rps
    printf '%-34s %12s %10s %10s %8s\n' "$who, $conns conn" "$rps" "$p50" "$p99" "$err"
  done
done
sid=$(session "$SH_URL")
read -r rps p50 p99 err < <(load ping "$SH_URL" "$sid" "" "{}" 1 "$SECS")
printf '%-34s %12s %10s %10s %8s\n' "skillhost ping, 1 conn (floor)" "$rps" "$p50" "$p99" "$err"
# The loopback floor of this machine: nginx serving a 3-byte file to the
# same wrk at 1 connection. No server's p50 can be under it here.
if command -v nginx >/dev/null; then
  NGX_PORT=$(free_port)
  mkdir -p "$TMP/nginx/html" && printf 'hi\n' >"$TMP/nginx/html/x"
  cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 64; }
http { access_log off; server { listen 127.0.0.1:$NGX_PORT; root $TMP/nginx/html; } }
EOF
  nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" 2>>"$TMP/nginx/error.log" &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$NGX_PORT/x"
  wrk -t1 -c1 -d"$SECS"s --latency "http://127.0.0.1:$NGX_PORT/x" >"$TMP/nginx.wrk" 2>&1
  awk 'function us(v) { if (v ~ /ms$/) return v * 1000; if (v ~ /us$/) return v + 0; return v * 1e6 }
       /^ +50%/ {p=$2} /^ +99%/ {q=$2} /^Requests\/sec/ {r=$2}
       END {printf "%-34s %12d %10d %10d %8s\n", "nginx static file, 1 conn (floor)", r, us(p), us(q), "-"}' "$TMP/nginx.wrk"
fi
awk -v a="${R[skillhost-$CONNS]}" -v b="${R[official-$CONNS]}" -v c="${R[skillhost-1]}" -v d="${R[official-1]}" \
  'BEGIN {printf "ratio (skillhost / official): %.1fx at %d connections, %.1fx at 1\n", a / b, '"$CONNS"', c / d}'

printf '\n%-34s %12s %10s %10s %8s\n' "stdio (pipelined)" "calls/s" "p50 us" "p99 us" "errors"
for window in 32 1; do
  "$STDIO_DRIVER" --calls "$STDIO_CALLS" --window "$window" --tool echo \
    --args '{"text":"hello"}' --label "skillhost, window $window" -- \
    "$SH" $SH_FLAGS serve --stdio --skill "$NOOP" --reload-interval 0 2>>"$TMP/stdio.err"
  "$STDIO_DRIVER" --calls "$(( STDIO_CALLS / 5 ))" --window "$window" --tool echo \
    --args '{"message":"hello"}' --label "official, window $window" -- \
    node "$EVERYTHING" stdio 2>>"$TMP/stdio.err"
done
