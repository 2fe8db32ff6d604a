#!/usr/bin/env bash
# `skillhost serve --http`: calls that block do not hold up the others.
# More slow calls than the machine has CPUs (so more than the call pool
# runs at once, mcp_pool.h) are running, each on its own connection; quick
# calls on other connections, in the same session and in another one, must
# all be answered while every slow call is still running. Asserted by
# order: the slow calls are still in flight when the quick ones are done,
# and end only when their session is deleted; never by timing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
A=(-H "Accept: application/json, text/event-stream")

start_server blk --http 127.0.0.1:0 --skill "$LIB/testing-sleeper.so" \
  --skill "$LIB/testing-noop.so" --reload-interval 0
SRV=$PID; M=$URL/mcp
open_session "$M"; S1=$SID
open_session "$M"; S2=$SID

# The sleeper's worker pool holds 4 (ISOLATED_POOL_DEFAULT): calls past
# that wait for a worker, which blocks their pool thread just the same.
ncpu=$(nproc)
NSLOW=$(( ncpu + 2 ))
RUNNING=$(( NSLOW < 4 ? NSLOW : 4 ))
SLOW=()
for i in $(seq "$NSLOW"); do
  curl -s -N --max-time 300 -H 'Content-Type: application/json' "${A[@]}" \
    -H "Mcp-Session-Id: $S1" -H 'MCP-Protocol-Version: 2025-11-25' \
    -d '{"jsonrpc":"2.0","id":'$((100 + i))',"method":"tools/call","params":{"name":"testing.sleeper.sleep","arguments":{"ms":200000},"_meta":{"progressToken":"slow'$i'"}}}' \
    "$M" > "$TMP/slow$i" &
  SLOW+=($!)
done
# Running, each of them: it has reported progress.
for _ in $(seq 600); do
  n=0
  for i in $(seq "$NSLOW"); do grep -q '"progressToken":"slow'$i'"' "$TMP/slow$i" && n=$((n + 1)); done
  [ "$n" -ge "$RUNNING" ] && break
  sleep 0.1
done
[ "$n" -ge "$RUNNING" ] && ok "$n slow calls running on $ncpu CPUs" \
  || fail "only $n of $RUNNING slow calls started"

quick=0
for i in $(seq 20); do
  sid=$S1; [ $((i % 2)) = 0 ] && sid=$S2
  post "$M" '{"jsonrpc":"2.0","id":'$((200 + i))',"method":"tools/call","params":{"name":"echo","arguments":{"text":"quick'$i'"}}}' \
    -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-11-25'
  case "$code $body" in 200*'"text":"quick'$i'"'*) quick=$((quick + 1)) ;; *) fail "quick call $i: HTTP $code $body" ;; esac
done
[ "$quick" = 20 ] && ok "20 quick calls on other connections answered"

still=0
for i in $(seq "$NSLOW"); do
  if kill -0 "${SLOW[$((i - 1))]}" 2>/dev/null && ! grep -q '"slept ' "$TMP/slow$i"; then
    still=$((still + 1))
  fi
done
[ "$still" = "$NSLOW" ] && ok "every slow call was still running when the quick ones were done" \
  || fail "only $still of $NSLOW slow calls still running"

# Ending the session cancels its calls; their connections then close.
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X DELETE -H "Mcp-Session-Id: $S1" "$M")
[ "$code" = 200 ] && ok "DELETE the session of the slow calls" || fail "DELETE: HTTP $code"
for p in "${SLOW[@]}"; do wait "$p"; done
n=0
for i in $(seq "$NSLOW"); do grep -q '"slept ' "$TMP/slow$i" || n=$((n + 1)); done
[ "$n" = "$NSLOW" ] && ok "the slow calls ended without finishing" || fail "$((NSLOW - n)) slow calls finished"
post "$M" '{"jsonrpc":"2.0","id":300,"method":"tools/call","params":{"name":"echo","arguments":{"text":"after"}}}' \
  -H "Mcp-Session-Id: $S2" -H 'MCP-Protocol-Version: 2025-11-25'
expect_body '"text":"after"' "still answering afterwards"
stop_server "$SRV"
[ "$stop_rc" = 0 ] && ok "clean stop" || fail "stop: exit $stop_rc"
finish
