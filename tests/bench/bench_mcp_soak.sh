#!/usr/bin/env bash
# Soak: at least 1,000,000 tools/call over Streamable HTTP on 32
# connections (one session), then checks: no errors, resident memory after
# the run within 5% of what it was after the warm-up, and within 1% of what
# it was halfway through (a leak; the first check also catches an
# allocator still settling after the warm-up).
#
#   tests/bench/bench_mcp_soak.sh [BUILD_DIR]     (default: build)
#   SOAK_CALLS=1000000 SOAK_CONNS=32 tests/bench/bench_mcp_soak.sh build
#   BENCH_AUDIT=0    no home folder, so no audit log (as the soak ran before)
#
# Loopback only; wrk's runs are sized from the rate seen and capped, so the
# soak always stops by itself. Exit 0 when every check passed.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
SH=$build/host/skillhost
NOOP=$build/skills-out/lib/testing-noop.so
LUA=$top/tests/bench/bench_mcp.lua
CALLS=${SOAK_CALLS:-1000000}
CONNS=${SOAK_CONNS:-32}
THREADS=2
MAX_SECONDS=900

[ -x "$SH" ] && [ -e "$NOOP" ] || { echo "soak: build first ($SH, $NOOP)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "soak: wrk is not installed" >&2; exit 2; }
TMP=$(mktemp -d /tmp/soak-mcp.XXXXXX)
SRV=""
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$TMP"' EXIT
export SKILLHOST_HOME=$TMP/home
# The home exists, as on any host with skills installed, so every call
# writes its audit record and the log rotates and is sealed (16 MiB a
# file) many times during the soak, as it would for an operator.
[ "${BENCH_AUDIT:-1}" = 0 ] || mkdir -p "$SKILLHOST_HOME"
failures=0
check() { if [ "$1" = 1 ]; then echo "ok: $2"; else echo "FAIL: $2"; failures=$((failures + 1)); fi; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

"$SH" serve --http 127.0.0.1:0 --skill "$NOOP" --ready-file "$TMP/ready" \
  --reload-interval 0 2>"$TMP/server.err" &
SRV=$!
for _ in $(seq 100); do [ -s "$TMP/ready" ] && break; sleep 0.1; done
URL=$(cat "$TMP/ready")/mcp
SID=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"soak","version":"1"}}}' \
  "$URL" | awk 'tolower($1)=="mcp-session-id:" {print $2}' | tr -d '\r')
export MCP_SESSION=$SID MCP_TOOL=testing.noop.echo MCP_ARGS='{"text":"soak"}'

# Warm-up and calibration: two runs, each on new connections as the soak's
# own runs are, so that RSS is measured once the allocator and the
# per-connection pools have reached their working size (measured: the
# second run of fresh connections still added ~5%, the third and later
# runs under 0.1% each).
wrk -t$THREADS -c"$CONNS" -d5s -s "$LUA" "$URL" > /dev/null 2>&1
wrk -t$THREADS -c"$CONNS" -d5s -s "$LUA" "$URL" > "$TMP/warm.out" 2>&1
rate=$(awk '/^mcp_rps/ {print int($2)}' "$TMP/warm.out")
[ "${rate:-0}" -gt 0 ] || { echo "soak: the warm-up failed"; cat "$TMP/warm.out"; exit 1; }
rss0=$(rss_kb "$SRV")
secs=$(( CALLS * 115 / 100 / rate + 3 ))
[ "$secs" -gt "$MAX_SECONDS" ] && secs=$MAX_SECONDS
echo "soak: $CALLS calls on $CONNS connections (about ${secs}s at $rate calls/s); RSS after warm-up ${rss0} KiB"

( while kill -0 "$SRV" 2>/dev/null; do echo "$(date +%s) $(rss_kb "$SRV")"; sleep 1; done ) > "$TMP/rss.log" &
SAMPLER=$!
# wrk runs for its whole -d even when every thread has stopped at its
# share (MCP_MAX_CALLS), so a run is sized from the rate, and when other
# work on the machine slowed the server below the warm-up's rate (at load
# 8 a run stopped at 900k of 1M calls), another run does the rest, sized
# from the rate just seen, until CALLS are done or MAX_SECONDS spent.
n=0 errs=0 serrs=0 rounds=0 t_start=$SECONDS
p50="" p99=""
while [ "$n" -lt "$CALLS" ] && [ $((SECONDS - t_start)) -lt "$MAX_SECONDS" ]; do
  left=$(( CALLS - n ))
  [ "$rounds" -gt 0 ] && secs=$(( left * 115 / 100 / rate + 3 ))
  rounds=$((rounds + 1))
  MCP_MAX_CALLS=$(( left / THREADS + 1 )) wrk -t$THREADS -c"$CONNS" -d"${secs}s" --timeout 10s \
    --latency -s "$LUA" "$URL" > "$TMP/soak.out" 2>"$TMP/soak.err"
  got=$(awk '/^mcp_responses/ {print $2}' "$TMP/soak.out")
  [ "${got:-0}" -gt 0 ] || break
  n=$(( n + got ))
  errs=$(( errs + $(awk '/^mcp_errors/ {print $2}' "$TMP/soak.out") ))
  serrs=$(( serrs + $(awk '/^mcp_socket_errors/ {print $2}' "$TMP/soak.out") ))
  rate=$(( got / secs + 1 ))
  # The first run's percentiles (it holds most of the calls); the worst p99.
  [ -z "$p50" ] && p50=$(awk '/^mcp_p50_us/ {print $2}' "$TMP/soak.out")
  r99=$(awk '/^mcp_p99_us/ {print $2}' "$TMP/soak.out")
  [ -z "$p99" ] || [ "$r99" -gt "$p99" ] && p99=$r99
done
rps=$(( n / (SECONDS - t_start > 0 ? SECONDS - t_start : 1) ))
kill "$SAMPLER" 2>/dev/null
rss1=$(rss_kb "$SRV")
peak=$(awk '$2 > m {m = $2} END {print m}' "$TMP/rss.log")
growth=$(awk -v a="$rss0" -v b="$rss1" 'BEGIN {printf "%.2f", (b - a) * 100 / a}')
echo "soak: $n calls in $rounds run(s), $rps calls/s, p50 ${p50} us, p99 ${p99} us; RSS ${rss0} -> ${rss1} KiB (${growth}%), peak ${peak} KiB"
# How RSS moved: a leak climbs all along; an allocator settling steps up
# and flattens.
echo "soak: RSS KiB every 10 s: $(awk 'NR % 10 == 1 {printf "%s ", $2}' "$TMP/rss.log")"
# A leak grows with the calls, so it shows over the run's second half too,
# after the allocator has settled (under load that took ~60 s, longer than
# the warm-up: the check above then fails on a flat second half).
mid=$(awk '{a[NR] = $2} END {print a[int((NR + 1) / 2)]}' "$TMP/rss.log")
growth2=$(awk -v a="$mid" -v b="$rss1" 'BEGIN {printf "%.2f", (b - a) * 100 / a}')
check "$([ "${n:-0}" -ge "$CALLS" ] && echo 1)" "at least $CALLS calls ($n)"
check "$([ "${errs:-1}" = 0 ] && [ "${serrs:-1}" = 0 ] && echo 1)" "no errors ($errs bad responses, $serrs socket errors)"
check "$(awk -v g="$growth" 'BEGIN {print (g < 5) ? 1 : 0}')" "RSS growth after warm-up under 5% (${growth}%)"
check "$(awk -v g="$growth2" 'BEGIN {print (g < 1) ? 1 : 0}')" "RSS growth over the second half under 1% (${mid} -> ${rss1} KiB, ${growth2}%)"
kill -TERM "$SRV"; wait "$SRV"; rc=$?; SRV=""
check "$([ "$rc" = 0 ] && echo 1)" "the server drains and exits 0 ($rc)"
[ "$failures" = 0 ] && echo "soak: passed" || echo "soak: $failures check(s) failed"
exit $(( failures > 0 ))
