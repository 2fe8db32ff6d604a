#!/usr/bin/env bash
# A quick call on a connection alone on its I/O thread runs on that thread
# (mcp_reply.may_block), isolated as ever; what must still hold then:
#   - the fast path is taken (skillhost_calls_inline_total moves) and
#     answers as the pool does;
#   - a call that turns out slow there holds up no other client: a new
#     connection is answered at once;
#   - the client hanging up mid-call still kills the worker;
#   - notifications/cancelled from another connection still ends it;
#   - a session that can be asked things (elicitation) never takes it,
#     nor does a server with one I/O thread.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
HOSTILE=(--skill "$LIB/testing-hostile.so")
CLIENT=$TMP/client.py

# client.py URL SID CMD...: one keep-alive connection (http.client), as a
# client alone on the server would hold. Commands:
#   call TOOL ARGS [N]   N calls (default 1), each answered, in order
#   hang TOOL ARGS ID    send a call and close the socket without reading
#   send TOOL ARGS ID    send a call and wait for its answer (printed)
cat > "$CLIENT" <<'EOF'
import http.client, json, socket, sys, urllib.parse
url, sid, cmd = sys.argv[1], sys.argv[2], sys.argv[3]
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
hdr = {"Content-Type": "application/json", "Mcp-Session-Id": sid,
       "Accept": "application/json, text/event-stream",
       "MCP-Protocol-Version": "2025-11-25"}
def body(tool, args, rid):
    return json.dumps({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
                       "params": {"name": tool, "arguments": json.loads(args)}})
if cmd == "call":
    n = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    for i in range(n):
        conn.request("POST", "/mcp", body(sys.argv[4], sys.argv[5], i + 1), hdr)
        r = conn.getresponse(); text = r.read().decode()
        if r.status != 200 or '"result"' not in text:
            print("bad answer %d: %s" % (r.status, text)); sys.exit(1)
    print("answered %d" % n)
elif cmd == "hang":
    conn.request("POST", "/mcp", body(sys.argv[4], sys.argv[5], int(sys.argv[6])), hdr)
    conn.sock.shutdown(socket.SHUT_RDWR); conn.close()
elif cmd == "send":
    conn.request("POST", "/mcp", body(sys.argv[4], sys.argv[5], int(sys.argv[6])), hdr)
    r = conn.getresponse(); print(r.status, r.read().decode())
EOF
client() { python3 "$CLIENT" "$URL/mcp" "$SID" "$@"; }
metric() { curl -s "$URL/metrics" | awk -v k="$1" '$1 == k { print $2 + 0; f = 1 } END { if (!f) print 0 }'; }
in_flight() {
  curl -s "$URL/metrics" | awk '/^skillhost_calls_in_flight[{].*testing\/hostile/ { n += $NF } END { print n + 0 }'
}
workers() { pgrep -P "$1" -f skillhost-worker | wc -l; }
# until_ms MS 'CONDITION': waits until the shell condition (evaluated
# afresh each time) holds; sets took (ms).
until_ms() {
  local t0 lim=$1; t0=$(now_ms)
  while ! eval "$2" && [ $(( $(now_ms) - t0 )) -lt "$lim" ]; do sleep 0.02; done
  took=$(( $(now_ms) - t0 ))
}
# quick: the sleep tool answers at once until it has a streak; calls on
# one connection until the fast path is taken (a loaded ASan machine may
# need a few rounds of quick calls in a row).
streak() {
  local before=$1 i
  for i in $(seq 40); do
    client call testing.hostile.sleep '{"ms":0}' 10 > /dev/null || return 1
    [ "$(metric skillhost_calls_inline_total)" -gt "$before" ] && return 0
  done
  return 1
}

start_server inl --http 127.0.0.1:0 --poll-threads 2 "${HOSTILE[@]}"
SRV=$PID
open_session "$URL/mcp"

# --- taken, and answering as the pool does ---
n0=$(metric skillhost_calls_inline_total)
[ "$n0" -eq 0 ] && ok "no call ran inline before any was made" || fail "inline_total starts at $n0"
out=$(client call testing.hostile.ok '{}' 60); [ "$out" = "answered 60" ] && ok "60 quick calls on one connection are answered" \
  || fail "quick calls: $out"
n1=$(metric skillhost_calls_inline_total)
[ "$n1" -ge 1 ] && ok "the fast path was taken ($n1 of 60 calls)" || {
  fail "no call took the fast path"; cat "$TMP/inl.err"; }
post "$URL/mcp" '{"jsonrpc":"2.0","id":70,"method":"tools/call","params":{"name":"testing.hostile.ok","arguments":{}}}' \
  -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-11-25'
expect_code 200 "a call on a new connection is answered"
expect_body '"text":"ok"' "with the tool's result"

# long MODE MS ID: a sleep of MS ms sent (client MODE: send or hang) on a
# connection of its own once the tool has a streak, again until it runs on
# the I/O thread: on a loaded machine one quick call over the limit ends
# the streak. Sets cp (the client) and lid (the call's id). A try that went to a call thread is
# cancelled and waited for.
long() {
  local mode=$1 ms=$2 id=$3 try n
  for try in 1 2 3 4 5 6; do
    streak "$(metric skillhost_calls_inline_total)" || continue
    n=$(metric skillhost_calls_inline_total)
    client "$mode" testing.hostile.sleep "{\"ms\":$ms}" "$id" > "$TMP/long.out" & cp=$!
    until_ms 10000 '[ "$(metric skillhost_calls_inline_total)" -gt "$n" ] || [ "$(in_flight)" -ge 1 ]'
    lid=$id
    [ "$(metric skillhost_calls_inline_total)" -gt "$n" ] && return 0
    echo "note: try $try ran on a call thread; again"
    post "$URL/mcp" "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":$id}}" \
      -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-11-25'
    until_ms 10000 '[ "$(in_flight)" -eq 0 ]'
    wait "$cp"; id=$((id + 1000))
  done
  return 1
}

# --- a call that turns slow there holds up nobody else ---
long send 3000 80 && ok "a 3 s call runs on the I/O thread" || fail "the 3 s call never took the fast path"
t0=$(now_ms)
post "$URL/mcp" '{"jsonrpc":"2.0","id":81,"method":"tools/call","params":{"name":"testing.hostile.ok","arguments":{}}}' \
  -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-11-25'
took=$(( $(now_ms) - t0 ))
expect_code 200 "another client is answered meanwhile"
[ "$took" -lt 1500 ] && ok "at once (${took} ms), not after the 3 s call" || fail "another client waited ${took} ms"
wait "$cp"
grep -q "\"id\": *$lid" "$TMP/long.out" && grep -q '^200' "$TMP/long.out" && grep -q slept "$TMP/long.out" \
  && ok "the slow call is answered on its own connection" || fail "slow call: $(cat "$TMP/long.out")"

# --- the client hangs up mid-call: the worker is killed ---
stopped() { grep -c "its worker was stopped" "$TMP/inl.err"; }
w0=$(stopped)
long hang 60000 90 && ok "a call whose client hangs up runs on the I/O thread" || fail "the hang-up call never took the fast path"
until_ms 5000 '[ "$(in_flight)" -eq 0 ]'
[ "$(in_flight)" -eq 0 ] && [ "$took" -lt 4000 ] && ok "hang-up ends the call (${took} ms)" \
  || fail "the call still runs ${took} ms after its client hung up"
wait "$cp"
out=$(client call testing.hostile.ok '{}' 3); [ "$out" = "answered 3" ] && ok "calls go on after it" || fail "after hang-up: $out"
[ "$(stopped)" -gt "$w0" ] && ok "the sleeping worker was stopped" \
  || fail "the log does not say the sleeper's worker was stopped"

# --- notifications/cancelled from another connection ---
long send 60000 95 && ok "a call to cancel runs on the I/O thread" || fail "the call to cancel never took the fast path"
post "$URL/mcp" "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":$lid}}" \
  -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-11-25'
expect_code 202 "the cancel is accepted on another connection"
until_ms 5000 '[ "$(in_flight)" -eq 0 ]'
[ "$(in_flight)" -eq 0 ] && [ "$took" -lt 4000 ] && ok "notifications/cancelled ends it (${took} ms)" \
  || fail "the cancelled call still runs ${took} ms after the cancel"
wait "$cp"
stop_server "$SRV"

# --- sessions and calls that never take it ---
start_server el --http 127.0.0.1:0 --poll-threads 2 "${HOSTILE[@]}"
SRV=$PID
resp=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  --data-binary '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}},"clientInfo":{"name":"asks","version":"1"}}}' "$URL/mcp")
SID=$(printf '%s' "$resp" | awk 'tolower($1) == "mcp-session-id:" { print $2 }' | tr -d '\r')
post "$URL/mcp" '{"jsonrpc":"2.0","method":"notifications/initialized"}' -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-11-25'
out=$(client call testing.hostile.ok '{}' 40); [ "$out" = "answered 40" ] && ok "an elicitation-capable session is answered" \
  || fail "elicitation session: $out"
[ "$(metric skillhost_calls_inline_total)" -eq 0 ] && ok "and never on the I/O thread (the skill may ask the client)" \
  || fail "an elicitation-capable session took the fast path"
stop_server "$SRV"

start_server pt --http 127.0.0.1:0 --poll-threads 1 "${HOSTILE[@]}"
SRV=$PID
open_session "$URL/mcp"
out=$(client call testing.hostile.ok '{}' 40); [ "$out" = "answered 40" ] && ok "one I/O thread: answered" || fail "one thread: $out"
[ "$(metric skillhost_calls_inline_total)" -eq 0 ] && ok "one I/O thread never runs a call itself (none would take new connections)" \
  || fail "the only I/O thread ran a call"
stop_server "$SRV"

finish
