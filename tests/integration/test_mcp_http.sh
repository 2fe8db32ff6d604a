#!/usr/bin/env bash
# `skillhost serve --http`: the Streamable HTTP contract and its defences,
# driven with curl: sessions, JSON and SSE answers, protocol errors,
# oversized bodies, DNS rebinding (Host and Origin), the bearer token,
# artifacts, slow and idle clients, SIGTERM draining, and list_changed when
# a skill is installed or removed while clients are connected.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
LIBS=(--skill "$LIB/testing-everything.so" --skill "$LIB/testing-sleeper.so"
      --skill "$LIB/testing-noop.so")
A=(-H "Accept: application/json, text/event-stream")

# --- usage errors ---
run "$SH" serve; expect_rc 2 "serve needs --stdio or --http"
run "$SH" serve --stdio --http 127.0.0.1:0; expect_rc 2 "not both"
run "$SH" serve --http nonsense; expect_rc 2 "bad HOST:PORT"; expect_err "HOST:PORT" "says the form"
run "$SH" serve --stdio --token-file /x; expect_rc 2 "--token-file is for --http"
run "$SH" serve --http 127.0.0.1:0 --page-size 0; expect_rc 2 "bad --page-size"
echo short > "$TMP/short.tok"
run "$SH" serve --http 127.0.0.1:0 --token-file "$TMP/short.tok"; expect_rc 2 "short token refused"
expect_err "at least 16" "says how long"
# Colliding bare names are no longer refused (portable names qualify
# them); --short-names is a deprecated no-op and --tool-names is checked.
run "$SH" serve --http 127.0.0.1:0 --short-names --tool-names dotted "${LIBS[@]}"; expect_rc 2 "--tool-names takes two forms"
expect_err "--short-names is deprecated" "--short-names says it is deprecated"
expect_err "portable or canonical" "the usage error names the forms"
run "$SH" serve --help; expect_rc 0 "serve --help"; expect_out "--stateless" "help lists options"

# --- a stateful server ---
start_server main --http 127.0.0.1:0 "${LIBS[@]}" --page-size 5 \
  --connection-timeout 3 --max-connections 2000 --max-client-connections 2000 \
  --reload-interval 1
MAIN=$PID; M=$URL/mcp
PORT=${URL##*:}
post "$M" "$INIT"; expect_code 200 "initialize"
expect_hdr "content-type: application/json" "initialize answers JSON"
expect_hdr "mcp-session-id: [0-9a-f]\{64\}" "a 256-bit session id"
expect_body '"protocolVersion":"2025-11-25"' "negotiated 2025-11-25"
open_session "$M"; expect_code 202 "initialized notification: 202"
[ -z "$body" ] && ok "202 has no body" || fail "202 has a body: $body"
S=(-H "Mcp-Session-Id: $SID")
post "$M" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' "${S[@]}"
expect_code 200 "tools/list"; expect_body '"nextCursor"' "paginated"
post "$M" '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"testing.noop.echo","arguments":{"text":"hi"}}}' "${S[@]}"
expect_code 200 "tools/call"; expect_body '"text":"hi"' "echo result"
expect_hdr "content-type: application/json" "a call without notifications answers JSON"
post "$M" '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"testing.everything.progress","arguments":{"steps":2},"_meta":{"progressToken":"p"}}}' "${S[@]}"
expect_code 200 "call with progress"; expect_hdr "content-type: text/event-stream" "progress makes it SSE"
case "$body" in "id: "*"data: "*) ok "priming event first" ;; *) fail "no priming event: $body" ;; esac
expect_body "event: message" "message events"
expect_body '"progressToken":"p","progress":2' "progress events"
[ "$(printf '%s' "$body" | grep -c '^id: ')" -ge 4 ] && ok "every event has an id" || fail "ids missing"
last=$(printf '%s' "$body" | grep '^data: {' | tail -1)
case "$last" in *'"id":4,"result"'*) ok "the response ends the stream" ;; *) fail "last event: $last" ;; esac

# --- protocol errors ---
post "$M" '{"jsonrpc":"2.0","id":5,' "${S[@]}"; expect_code 400 "malformed JSON"
expect_body '"code":-32700' "parse error code"
post "$M" '[{"jsonrpc":"2.0","id":6,"method":"ping"}]' "${S[@]}"; expect_code 400 "batch"
expect_body '"code":-32600' "batch is an invalid request"; expect_body "batches" "batch refusal explains"
# A 2025-03-26 session MUST be answered batches: one JSON array with an
# answer per request (in any order), none for the notification.
post "$M" '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"batcher","version":"1"}}}'
expect_code 200 "2025-03-26 initialize"; expect_body '"protocolVersion":"2025-03-26"' "2025-03-26 negotiated"
SID03=$(grep -i '^mcp-session-id:' "$TMP/hdr" | awk '{print $2}' | tr -d '\r')
post "$M" '{"jsonrpc":"2.0","method":"notifications/initialized"}' -H "Mcp-Session-Id: $SID03"
post "$M" '[{"jsonrpc":"2.0","id":"a","method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"b","method":"tools/call","params":{"name":"noop_echo","arguments":{"text":"in a batch"}}}]' -H "Mcp-Session-Id: $SID03"
expect_code 200 "a batch on a 2025-03-26 session"
if printf '%s' "$body" | python3 -c '
import json, sys
b = json.load(sys.stdin)
assert isinstance(b, list) and len(b) == 2, b
by = {r["id"]: r for r in b}
assert by["a"]["result"] == {}, by
assert by["b"]["result"]["content"][0]["text"] == "in a batch", by
'; then ok "the batch is answered as one array"; else fail "batch answer: $body"; fi
post "$M" '[{"jsonrpc":"2.0","method":"notifications/initialized"}]' -H "Mcp-Session-Id: $SID03"
expect_code 202 "a batch of notifications only: 202"
post "$M" '[]' -H "Mcp-Session-Id: $SID03"; expect_body '"code":-32600' "an empty batch is an invalid request"
post "$M" '{"jsonrpc":"2.0","id":7,"method":"ping"}' "${S[@]}" -H "MCP-Protocol-Version: 2099-01-01"
expect_code 400 "unsupported MCP-Protocol-Version"; expect_body "2025-11-25" "lists the supported versions"
post "$M" '{"jsonrpc":"2.0","id":7,"method":"ping"}' "${S[@]}" -H "MCP-Protocol-Version: 2025-06-18"
expect_code 200 "a supported MCP-Protocol-Version"
post "$M" '{"jsonrpc":"2.0","id":8,"method":"nope"}' "${S[@]}"; expect_code 200 "unknown method"
expect_body '"code":-32601' "method not found"
post "$M" '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"no.such"}}' "${S[@]}"
expect_body '"code":-32602' "unknown tool is -32602"
post "$M" '{"jsonrpc":"2.0","id":10,"method":"ping"}'; expect_code 400 "no session id"
expect_body "Mcp-Session-Id" "says which header"
post "$M" '{"jsonrpc":"2.0","id":10,"method":"ping"}' -H "Mcp-Session-Id: deadbeef"; expect_code 404 "unknown session"
post "$M" "$INIT" "${S[@]}"; expect_code 400 "initialize inside a session"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Accept:' "${S[@]}" -d '{}' "$M"); body=$(cat "$TMP/body")
expect_code 406 "no Accept header"; expect_body "text/event-stream" "406 says what to accept"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Accept: application/json' "${S[@]}" -d '{}' "$M")
expect_code 406 "Accept without text/event-stream"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' "${A[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":11,"method":"ping"}' "$M")
expect_code 415 "wrong Content-Type"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$M"); expect_code 405 "PUT"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/nope"); expect_code 404 "unknown path"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$URL/healthz"); body=$(cat "$TMP/body")
expect_code 200 "healthz"; expect_body ok "healthz says ok"

# --- body cap ---
head -c 20000000 /dev/zero | tr '\0' 'x' > "$TMP/big"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' "${A[@]}" "${S[@]}" --data-binary @"$TMP/big" "$M"); body=$(cat "$TMP/body")
expect_code 413 "oversized body (Content-Length)"; expect_body "max-body" "413 names the option"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' "${A[@]}" "${S[@]}" --data-binary @"$TMP/big" "$M")
expect_code 413 "oversized body (chunked)"
post "$M" '{"jsonrpc":"2.0","id":12,"method":"ping"}' "${S[@]}"; expect_code 200 "the server is fine after 413s"

# --- DNS rebinding: Host and Origin ---
post "$M" '{"jsonrpc":"2.0","id":13,"method":"ping"}' "${S[@]}" -H "Host: evil.example.com"
expect_code 403 "foreign Host"
post "$M" '{"jsonrpc":"2.0","id":13,"method":"ping"}' "${S[@]}" -H "Origin: http://evil.example.com"
expect_code 403 "foreign Origin"
post "$M" '{"jsonrpc":"2.0","id":13,"method":"ping"}' "${S[@]}" -H "Origin: null"
expect_code 403 "Origin null"
post "$M" '{"jsonrpc":"2.0","id":13,"method":"ping"}' "${S[@]}" -H "Host: localhost:$PORT" -H "Origin: http://localhost:5173"
expect_code 200 "a loopback Host and Origin"; expect_hdr "access-control-allow-origin: http://localhost:5173" "CORS for an allowed origin"
code=$(curl -s -o /dev/null -D "$TMP/hdr" -w '%{http_code}' -X OPTIONS -H "Origin: http://127.0.0.1:3000" "$M")
expect_code 204 "CORS preflight"; expect_hdr "access-control-allow-headers:.*mcp-session-id" "preflight allows the MCP headers"

# --- the GET stream and list_changed ---
curl -sN --max-time 30 "${S[@]}" -H "Accept: text/event-stream" "$M" > "$TMP/stream" 2>/dev/null &
CURL_GET=$!
sleep 0.5
grep -q "stream open" "$TMP/stream" && ok "GET opens an event stream" || fail "GET stream: $(cat "$TMP/stream")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$M" -H "Accept: text/event-stream"); expect_code 400 "GET without a session"
code=$(curl -s -o /dev/null -w '%{http_code}' "${S[@]}" -H "Accept: text/event-stream" -H "Last-Event-ID: 7" "$M")
expect_code 405 "a request's stream cannot be resumed"
code=$(curl -s -o /dev/null -w '%{http_code}' "${S[@]}" -H "Accept: text/plain" "$M"); expect_code 406 "GET needs Accept: text/event-stream"
if install_for_test "$SKILLS_OUT/packages/testing-serial-1.0.0.skill"; then
for _ in $(seq 50); do grep -q list_changed "$TMP/stream" && break; sleep 0.1; done
grep -q '"method":"notifications/tools/list_changed"' "$TMP/stream" && ok "an install sends list_changed on the GET stream" \
  || fail "no list_changed after install: $(cat "$TMP/stream")"
post "$M" '{"jsonrpc":"2.0","id":14,"method":"tools/list","params":{}}' "${S[@]}"
all=$body; cur=$(printf '%s' "$body" | sed -n 's/.*"nextCursor":"\([^"]*\)".*/\1/p')
while [ -n "$cur" ]; do
  post "$M" "{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"tools/list\",\"params\":{\"cursor\":\"$cur\"}}" "${S[@]}"
  all="$all$body"; cur=$(printf '%s' "$body" | sed -n 's/.*"nextCursor":"\([^"]*\)".*/\1/p')
done
case "$all" in *\"testing/serial.*) ok "the installed skill's tools are listed" ;; *) fail "installed tools missing" ;; esac
post "$M" '{"jsonrpc":"2.0","id":16,"method":"tools/call","params":{"name":"testing.noop.echo","arguments":{"text":"still"}}}' "${S[@]}"
expect_body '"text":"still"' "the session survives the reload"
n0=$(grep -c list_changed "$TMP/stream")
"$SH" remove testing/serial >/dev/null 2>&1 || fail "remove testing-serial"
kill -HUP "$MAIN"
for _ in $(seq 50); do [ "$(grep -c list_changed "$TMP/stream")" -gt "$n0" ] && break; sleep 0.1; done
[ "$(grep -c list_changed "$TMP/stream")" -gt "$n0" ] && ok "a removal sends list_changed too" || fail "no list_changed after remove"
fi

# --- DELETE ends the session and its stream ---
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "${S[@]}" "$M"); expect_code 200 "DELETE"
wait "$CURL_GET" 2>/dev/null; ok "DELETE ends the GET stream"
post "$M" '{"jsonrpc":"2.0","id":17,"method":"ping"}' "${S[@]}"; expect_code 404 "the deleted session is gone"

# --- slow and idle clients ---
if command -v node >/dev/null; then
  CONNS=$TESTS_DIR/interop/mcp_conns.mjs
  r=$(node "$CONNS" slow "$PORT" headers 10000)
  t=$(printf '%s' "$r" | sed 's/.*: *\([0-9null]*\)}/\1/')
  [ "$t" != null ] && [ "$t" -ge 2500 ] && [ "$t" -le 8000 ] && ok "half-sent headers are cut off after the timeout (${t} ms)" \
    || fail "slow headers: $r"
  r=$(node "$CONNS" slow "$PORT" body 10000)
  t=$(printf '%s' "$r" | sed 's/.*: *\([0-9null]*\)}/\1/')
  [ "$t" != null ] && [ "$t" -ge 2500 ] && [ "$t" -le 8000 ] && ok "a stalled body is cut off after the timeout (${t} ms)" \
    || fail "slow body: $r"
  rss0=$(rss_kb "$MAIN")
  node "$CONNS" idle "$PORT" 1000 2000 > "$TMP/idle.json" &
  IDLE=$!
  sleep 1
  t0=$(date +%s%N)
  open_session "$M"
  post "$M" '{"jsonrpc":"2.0","id":18,"method":"tools/call","params":{"name":"testing.noop.echo","arguments":{"text":"busy"}}}' -H "Mcp-Session-Id: $SID"
  t1=$(( ($(date +%s%N) - t0) / 1000000 ))
  expect_body '"text":"busy"' "answers while 1000 idle connections are open"
  [ "$t1" -lt 2000 ] && ok "and promptly (${t1} ms)" || fail "slow with 1000 idle connections: ${t1} ms"
  rss1=$(rss_kb "$MAIN")
  wait "$IDLE"
  r=$(cat "$TMP/idle.json")
  case "$r" in *'"opened":1000,'*'"errors":0'*) ok "1000 idle connections accepted" ;; *) fail "idle: $r" ;; esac
  [ $((rss1 - rss0)) -lt 100000 ] && ok "memory stays bounded ($(( (rss1 - rss0) / 1024 )) MiB more)" \
    || fail "RSS grew by $((rss1 - rss0)) KiB"
  node "$CONNS" idle "$PORT" 300 5500 > "$TMP/idle2.json"
  r=$(cat "$TMP/idle2.json")
  case "$r" in *'"closedByServer":300,'*) ok "idle connections time out" ;; *) fail "idle timeout: $r" ;; esac
  post "$M" '{"jsonrpc":"2.0","id":19,"method":"ping"}' -H "Mcp-Session-Id: $SID"; expect_code 200 "alive after the floods"
else
  skip_part "slow and idle client checks need node"
fi

# --- SIGTERM drains calls in flight ---
post "$M" "$INIT"; SID=$(grep -i '^mcp-session-id:' "$TMP/hdr" | awk '{print $2}' | tr -d '\r')
curl -s --max-time 20 -H 'Content-Type: application/json' "${A[@]}" -H "Mcp-Session-Id: $SID" \
  -d '{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{"name":"testing.sleeper.sleep","arguments":{"ms":1500}}}' \
  "$M" > "$TMP/drained" &
CALL=$!
sleep 0.4
kill -TERM "$MAIN"
sleep 0.3
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/healthz")
[ "$code" != 200 ] && ok "no new work while draining (healthz: $code)" || fail "healthz still 200 while draining"
wait "$CALL"
grep -q '"text":"slept 1500 ms"' "$TMP/drained" && ok "the call in flight finished during the drain" \
  || fail "drained call: $(cat "$TMP/drained")"
for _ in $(seq 100); do kill -0 "$MAIN" 2>/dev/null || break; sleep 0.1; done
wait "$MAIN"; rc=$?
[ "$rc" = 0 ] && ok "exit 0 after draining" || fail "exit $rc after SIGTERM"
grep -q "draining" "$TMP/main.err" && ok "the drain is logged" || fail "no drain log"

# --- the bearer token, artifacts ---
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" > "$TMP/tok"; chmod 600 "$TMP/tok"
start_server auth --http 127.0.0.1:0 --token-file "$TMP/tok" --skill "$LIB/testing-noop.so"
AUTH=$PID; M=$URL/mcp
post "$M" "$INIT"; expect_code 401 "no token"
expect_hdr 'www-authenticate: Bearer realm="skillhost"' "401 says Bearer"
post "$M" "$INIT" -H "Authorization: Bearer ${TOKEN}x"; expect_code 401 "a wrong token"
expect_hdr 'error="invalid_token"' "a wrong token is invalid_token"
post "$M" "$INIT" -H "Authorization: Bearer ${TOKEN:0:10}"; expect_code 401 "a prefix of the token"
post "$M" "$INIT" -H "Authorization: Basic $TOKEN"; expect_code 401 "another scheme"
post "$M" "$INIT" -H "Authorization: Bearer $TOKEN"; expect_code 200 "the right token"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"); expect_code 200 "healthz needs no token"
mkdir -p "$SKILLHOST_HOME/artifacts"
echo "artifact body" > "$SKILLHOST_HOME/artifacts/0123abcd-report.txt"
code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$URL/artifacts/0123abcd-report.txt"); expect_code 401 "artifacts need the token"
# Downloads are scoped to the session whose call made the artifact
# (test_mcp_resources.sh downloads one a call made, with its headers).
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/artifacts/0123abcd-report.txt"); body=$(cat "$TMP/body")
expect_code 400 "an artifact download needs the session"
open_session "$M" -H "Authorization: Bearer $TOKEN"; ASID=$SID
code=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "Mcp-Session-Id: $ASID" "$URL/artifacts/0123abcd-report.txt"); body=$(cat "$TMP/body")
expect_code 404 "an artifact no call of the session made"
case "$body" in *"artifact body"*) fail "its content was served" ;; *) ok "its content is not served" ;; esac
code=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is -H "Authorization: Bearer $TOKEN" -H "Mcp-Session-Id: $ASID" "$URL/artifacts/../config.json"); expect_code 404 "no path traversal"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "Mcp-Session-Id: $ASID" "$URL/artifacts/%2e%2e%2fconfig.json"); expect_code 404 "no encoded traversal"
ln -s /etc/passwd "$SKILLHOST_HOME/artifacts/link.txt"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "Mcp-Session-Id: $ASID" "$URL/artifacts/link.txt"); expect_code 404 "no symlinks"
stop_server "$AUTH"; [ "$stop_rc" = 0 ] && ok "token server stops cleanly" || fail "token server exit $stop_rc"

# --- stateless ---
start_server sl --http 127.0.0.1:0 --stateless --skill "$LIB/testing-noop.so"
SL=$PID; M=$URL/mcp
post "$M" "$INIT"; expect_code 200 "stateless initialize"
grep -qi '^mcp-session-id' "$TMP/hdr" && fail "stateless sends a session id" || ok "no session id when stateless"
expect_body '"listChanged":false' "no list_changed when stateless"
post "$M" '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"testing.noop.echo","arguments":{"text":"any"}}}'
expect_code 200 "a call without a session"; expect_body '"text":"any"' "stateless result"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Accept: text/event-stream" "$M"); expect_code 405 "no GET stream when stateless"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$M"); expect_code 405 "no DELETE when stateless"
stop_server "$SL"; [ "$stop_rc" = 0 ] && ok "stateless server stops cleanly" || fail "stateless exit $stop_rc"

# --- idle sessions expire ---
start_server idle --http 127.0.0.1:0 --session-timeout 1 --skill "$LIB/testing-noop.so"
IDLE_SRV=$PID; M=$URL/mcp
open_session "$M"
post "$M" '{"jsonrpc":"2.0","id":2,"method":"ping"}' -H "Mcp-Session-Id: $SID"; expect_code 200 "a fresh session"
sleep 2.5
post "$M" '{"jsonrpc":"2.0","id":3,"method":"ping"}' -H "Mcp-Session-Id: $SID"; expect_code 404 "an idle session expires"
expect_body "initialize" "404 says to initialize again"
stop_server "$IDLE_SRV"

# --- a bounded connection limit ---
if command -v node >/dev/null; then
  start_server lim --http 127.0.0.1:0 --max-connections 100 --connection-timeout 2 --skill "$LIB/testing-noop.so"
  LIM=$PID; PORT=${URL##*:}
  fd0=$(ls "/proc/$LIM/fd" | wc -l)
  node "$CONNS" idle "$PORT" 300 1500 > "$TMP/lim.json" &
  sleep 1
  fd1=$(ls "/proc/$LIM/fd" | wc -l)
  wait $!
  # Past the limit, connections wait in the kernel's backlog: the server
  # holds no more than --max-connections of them.
  [ $((fd1 - fd0)) -le 100 ] && [ $((fd1 - fd0)) -ge 50 ] && ok "the server holds at most --max-connections ($((fd1 - fd0)) of 300)" \
    || fail "limit: $((fd1 - fd0)) descriptors for 300 connections"
  sleep 2.5
  code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"); expect_code 200 "serves again once they are gone"
  stop_server "$LIM"
fi
finish
