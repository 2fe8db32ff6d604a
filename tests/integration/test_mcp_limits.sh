#!/usr/bin/env bash
# `skillhost serve --http` fairness: one client address cannot lock others
# out. A session flood from 127.0.0.1 gets 429 (with Retry-After and a
# JSON-RPC error saying why) while a client on 127.0.0.2 is served; a full
# session table ends its least recently used idle session instead of
# refusing newcomers; an address at its cap may take over its own session
# idle past the grace period; connections over the per-address cap are
# closed at once; and a slowloris (connections trickling a header that never
# ends) is cut off at the header timeout without starving a good client.
# Loopback clients are subject to all of it, so 127.0.0.x source addresses
# stand for different clients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
need_node
CONNS=$TESTS_DIR/interop/mcp_conns.mjs
LIBS=(--skill "$LIB/testing-noop.so")
B=(--interface 127.0.0.2)
ECHO='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"testing.noop.echo","arguments":{"text":"served"}}}'

# --- usage ---
run "$SH" serve --http 127.0.0.1:0 --max-client-sessions 0
expect_rc 2 "--max-client-sessions 0 is refused"
expect_err "max-client-sessions" "the message names the option"
run "$SH" serve --stdio --header-timeout 5
expect_rc 2 "--header-timeout is for --http"
run "$SH" serve --help; expect_out "--max-client-connections" "help lists the per-client limits"

# --- a session flood from one address ---
start_server flood --http 127.0.0.1:0 "${LIBS[@]}" --max-client-sessions 8 \
  --max-sessions 20 --max-client-connections 16
FLOOD=$PID; M=$URL/mcp; PORT=${URL##*:}
r=$(node "$CONNS" flood "$PORT" 2000 127.0.0.1)
echo "  flood: $r"
case "$r" in *'"status":{"200":8,"429":1992}'*) ok "2000 initializes from one address: 8 sessions, 1992 refused with 429" ;;
  *) fail "flood: $r" ;; esac
ra=$(printf '%s' "$r" | node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(r.retryAfter)')
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 60 ] && ok "429 carries Retry-After ($ra s)" || fail "Retry-After: '$ra'"
case "$r" in *'127.0.0.1 already has 8 open sessions'*'--max-client-sessions'*) ok "the 429 body is a JSON-RPC error that says why" ;;
  *) fail "429 message: $r" ;; esac

open_session "$M" "${B[@]}"
[ -n "$SID" ] && ok "a second client address opens a session during the flood" || fail "no session for 127.0.0.2: $body"
BSID=$SID
post "$M" "$ECHO" -H "Mcp-Session-Id: $BSID" "${B[@]}"
expect_body '"text":"served"' "and its call is served"
post "$M" "$INIT"; expect_code 429 "the flooding address is still at its cap"
expect_hdr "Retry-After:" "with Retry-After"

# Fill the table (20): 8 + 1 so far, 11 more from 127.0.0.3..13.
for i in $(seq 3 13); do
  post "$M" "$INIT" --interface "127.0.0.$i"
  [ "$code" = 200 ] || fail "client 127.0.0.$i: HTTP $code $body"
done
post "$M" '{"jsonrpc":"2.0","id":3,"method":"ping"}' -H "Mcp-Session-Id: $BSID" "${B[@]}"
expect_code 200 "the second client's session is in use"
post "$M" "$INIT" --interface 127.0.0.14
expect_code 200 "a newcomer is admitted to a full table"
grep -q "of 127.0.0.1 ended, least recently used, to make room: the session table was full" "$TMP/flood.err" \
  && ok "the least recently used idle session (the flood's oldest) made room" \
  || { fail "no eviction logged"; tail -5 "$TMP/flood.err"; }
post "$M" "$ECHO" -H "Mcp-Session-Id: $BSID" "${B[@]}"
expect_body '"text":"served"' "the second client's recently used session survives"

# --- connections per address ---
node "$CONNS" idle "$PORT" 40 1500 > "$TMP/idle.json" &
IDLE=$!
sleep 0.7
post "$M" "$ECHO" -H "Mcp-Session-Id: $BSID" "${B[@]}"
expect_body '"text":"served"' "another address is served while one holds its 16 connections"
wait "$IDLE"
r=$(cat "$TMP/idle.json")
n=$(printf '%s' "$r" | node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(r.closedByServer)')
f=$(printf '%s' "$r" | node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(r.firstCloseMs)')
[ "$n" = 24 ] && ok "40 connections from one address: the 24 over --max-client-connections 16 are closed" \
  || fail "per-address connections: $r"
[ "$f" != null ] && [ "$f" -lt 1000 ] && ok "at once (${f} ms)" || fail "not at once: $r"
stop_server "$FLOOD"
[ "$stop_rc" = 0 ] && ok "the flooded server stops cleanly" || fail "flooded server exit $stop_rc"

# --- an address at its cap takes over its own long-idle session ---
start_server grace --http 127.0.0.1:0 "${LIBS[@]}" --max-client-sessions 2 \
  --session-timeout 4
M=$URL/mcp
open_session "$M"; S1=$SID
open_session "$M"; S2=$SID
post "$M" "$INIT"; expect_code 429 "a third session at once is refused"
sleep 2.3 # past the grace, half the session timeout
post "$M" "$INIT"; expect_code 200 "after the grace the address's oldest idle session makes room"
post "$M" '{"jsonrpc":"2.0","id":4,"method":"ping"}' -H "Mcp-Session-Id: $S1"
expect_code 404 "and that one, the least recently used, is gone"
stop_server "$PID"

# --- slowloris ---
start_server loris --http 127.0.0.1:0 "${LIBS[@]}" --header-timeout 1 \
  --max-client-connections 1000 --connection-timeout 30
M=$URL/mcp; PORT=${URL##*:}
node "$CONNS" loris "$PORT" 300 9000 127.0.0.1 > "$TMP/loris.json" &
LORIS=$!
sleep 0.5
t0=$(date +%s%N)
open_session "$M" "${B[@]}"
post "$M" "$ECHO" -H "Mcp-Session-Id: $SID" "${B[@]}"
t1=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_body '"text":"served"' "a good client is served during a 300-connection slowloris"
[ "$t1" -lt 3000 ] && ok "promptly (${t1} ms)" || fail "slow during the slowloris: ${t1} ms"
wait "$LORIS"
r=$(cat "$TMP/loris.json"); echo "  loris: $r"
js() { printf '%s' "$r" | node -e "const r=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log($1)"; }
[ "$(js r.opened)" = 300 ] && [ "$(js r.closedByServer)" = 300 ] \
  && ok "all 300 trickling connections were closed by the server" || fail "loris: $r"
lo=$(js r.minCloseMs); hi=$(js r.maxCloseMs)
[ "$lo" -ge 900 ] && [ "$hi" -le 6000 ] \
  && ok "at the header timeout, though every one kept sending (${lo}-${hi} ms)" \
  || fail "close times ${lo}-${hi} ms, wanted within 1-6 s (the trickle goes on for 9)"
grep -q "sent no complete request headers in time (serve --header-timeout 1)" "$TMP/loris.err" \
  && ok "the cut-off is logged" || fail "no header-timeout log line"
post "$M" "$ECHO" -H "Mcp-Session-Id: $SID" "${B[@]}"
expect_body '"text":"served"' "the good client's kept-alive session still works"
stop_server "$PID"
[ "$stop_rc" = 0 ] && ok "server stops cleanly" || fail "server exit $stop_rc"
finish
