#!/usr/bin/env bash
# Isolation end to end, with signed, installed skills: `doctor`; every
# hostile tool through `skillhost call` fails with a reason within its
# deadline + 200 ms and the next call works; `isolation in-process` and
# --in-process; `serve --http` with concurrent clients while other clients
# crash, hang and flood workers (the good calls all succeed, the server
# stays up), the circuit breaker, /metrics behind the token; the audit log
# (fields, surfaces, no argument secrets).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
shopt -s extglob
PKG=$SKILLS_OUT/packages
SECRET_ARG=arg-secret-9d41c7
OTHER_SECRET=other-skills-secret-5be2
mkdir -p "$SKILLHOST_HOME"

for p in testing-hostile testing-crasher testing-noop; do
  install_for_test "$PKG/$p-1.0.0.skill"
  case $? in 0) ;; 2) finish; exit 0 ;; *) finish; exit 1 ;; esac
done
run "$SH" config testing/hostile memory 256M; expect_rc 0 "memory policy"
run "$SH" config testing/hostile timeout 1500; expect_rc 0 "timeout policy"
# Another skill's secrets, as the store keeps them.
printf '{"format":1,"skills":{"other/skill":{"TOKEN":"%s"}}}' "$OTHER_SECRET" \
  > "$SKILLHOST_HOME/secrets.json"
chmod 600 "$SKILLHOST_HOME/secrets.json"

# --- doctor ---
run "$SH" doctor; expect_rc 0 "doctor"
expect_out "seccomp filter    yes" "doctor: seccomp"
expect_out "Isolation: " "doctor: verdict"
expect_out "libcurl           libcurl/" "doctor: finds libcurl (opened on first use)"
expect_out "socket               blocked" "doctor: the live check blocks sockets"
run "$SH" --json doctor; expect_rc 0 "doctor --json"
expect_out '"isolation":' "doctor --json: verdict"

# --- every hostile tool through the CLI ---
# hostile TOOL ARGS TIMEOUT_MS WANT: isError with WANT within TIMEOUT +
# SLACK ms, then the skill's next call works. What this bounds is "the
# deadline stops it" (unenforced, spin and sleep never end), not speed:
# the slack covers a process start on a machine CI shares with other work.
# A sanitizer build starts and stops instrumented workers several times
# slower, so it gets more.
SLACK=1000
[ "$SANITIZED" = 1 ] && SLACK=2000
hostile() {
  local t0 took
  t0=$(now_ms)
  run "$SH" call "testing/hostile.$1" "$2" --compact
  took=$(( $(now_ms) - t0 ))
  expect_rc 1 "$1 fails"
  case "$out" in *$4*) ok "$1 says why" ;; *) fail "$1: stdout lacks '$4'"; echo "  stdout: $out" ;; esac
  case "$out" in *"$OTHER_SECRET"*|*root:*) fail "$1 leaked a file" ;; esac
  [ "$took" -le $(( $3 + SLACK )) ] && ok "$1 in ${took} ms" || fail "$1 took ${took} ms (limit $3 + $SLACK)"
  run "$SH" call testing/hostile.ok '{}' --compact
  expect_rc 0 "a call after $1 works"
}
hostile spin '{}' 1500 "deadline passed"
hostile sleep '{}' 1500 "deadline passed"
hostile flood '{}' 1500 "deadline passed"
hostile hog '{}' 1500 "memory cap of 256 MiB"
hostile fork_bomb '{}' 1500 "(clone)"
hostile exec '{}' 1500 "(execve)"
# Refused (Landlock), or not there at all (the minimal root).
hostile read_file '{"path":"/etc/shadow"}' 1500 "@(Permission denied|No such file)"
hostile read_file "{\"path\":\"$SKILLHOST_HOME/secrets.json\"}" 1500 "@(Permission denied|No such file)"
hostile kill_host '{}' 1500 "kill: "
hostile exit '{}' 1500 "exited with status 3"
hostile garbage '{"kind":"junk"}' 1500 "broke the host protocol"
if command -v python3 >/dev/null; then
  python3 -c 'import socket,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(120)' > "$TMP/port" &
  LISTENER=$!; MCP_PIDS+=("$LISTENER")
  for _ in $(seq 300); do [ -s "$TMP/port" ] && break; sleep 0.1; done
  hostile connect "{\"port\":$(cat "$TMP/port")}" 1500 "socket: Permission denied"
  kill "$LISTENER"; wait "$LISTENER" 2>/dev/null
else
  skip_part "no python3 for a listener; the unit test covers connect"
fi
# In a sanitizer build UBSan stops the NULL write before the kernel does.
SEGV=SIGSEGV; [ "$SANITIZED" = 1 ] && SEGV="runtime error: store to null pointer"
run "$SH" call testing/crasher.segv '{}' --compact; expect_rc 1 "segv fails"
expect_out "$SEGV" "segv says why"
run "$SH" call testing/crasher.abort '{}' --compact; expect_rc 1 "abort fails"
expect_out "SIGABRT" "abort says which signal"
expect_err "a new worker" "the host log says the worker is replaced"

# --- who runs in-process ---
run "$SH" --in-process call testing/hostile.ok '{}' --skill "$LIB/testing-hostile.so"
expect_rc 0 "--in-process with a --skill file"
run "$SH" config testing/noop isolation in-process; expect_rc 0 "mark noop in-process"
run "$SH" call testing/noop.echo "{\"text\":\"$SECRET_ARG\"}" --compact; expect_rc 0 "in-process call"
run "$SH" config testing/noop isolation --unset; expect_rc 0 "unmark noop"

# --- serve --http: concurrent clients, some of them hostile ---
head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$TMP/token"; chmod 600 "$TMP/token"
TOKEN=$(cat "$TMP/token")
AUTH=(-H "Authorization: Bearer $TOKEN")
start_server iso --http 127.0.0.1:0 --token-file "$TMP/token" --threads 16
SRV=$PID; M=$URL/mcp

good_client() { # good_client N: 40 echo calls, each checked
  local n=$1 sid code i
  code=$(curl -s -D "$TMP/g$n.hdr" -o /dev/null -w '%{http_code}' --max-time 20 "${AUTH[@]}" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    --data-binary "$INIT" "$M")
  sid=$(grep -i '^mcp-session-id:' "$TMP/g$n.hdr" | awk '{print $2}' | tr -d '\r')
  [ "$code" = 200 ] && [ -n "$sid" ] || { echo "client $n: initialize $code" >> "$TMP/good.fail"; return; }
  for i in $(seq 40); do
    curl -s --max-time 20 "${AUTH[@]}" -H "Mcp-Session-Id: $sid" \
      -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
      --data-binary "{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"tools/call\",\"params\":{\"name\":\"testing.noop.echo\",\"arguments\":{\"text\":\"c$n-$i-$SECRET_ARG\"}}}" \
      "$M" > "$TMP/g$n.out"
    grep -q "\"text\":\"c$n-$i-$SECRET_ARG\"" "$TMP/g$n.out" && ! grep -q isError "$TMP/g$n.out" \
      || echo "client $n call $i: $(cat "$TMP/g$n.out")" >> "$TMP/good.fail"
    sleep 0.1
  done
}
# bad_client N: every way of misbehaving, 3 times; each followed by a good
# call, as a client retrying would, so the skill's crashes are never 5 in a
# row and the breaker stays closed (it is tested on its own below).
bad_client() {
  local n=$1 sid i call c
  curl -s -D "$TMP/b$n.hdr" -o /dev/null --max-time 20 "${AUTH[@]}" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    --data-binary "$INIT" "$M"
  sid=$(grep -i '^mcp-session-id:' "$TMP/b$n.hdr" | awk '{print $2}' | tr -d '\r')
  for i in $(seq 3); do
    for call in 'testing.hostile.spin {}' 'testing.hostile.ok {}' 'testing.crasher.segv {}' \
                'testing.crasher.ok {}' 'testing.hostile.fork_bomb {}' 'testing.hostile.flood {}' \
                'testing.hostile.hog {}' 'testing.hostile.exec {}' 'testing.hostile.sleep {}' \
                'testing.hostile.read_file {"path":"/etc/shadow"}' 'testing.hostile.kill_host {}' \
                'testing.hostile.connect {"port":9}' 'testing.hostile.garbage {}' \
                'testing.hostile.exit {}'; do
      for c in "$call" 'testing.hostile.ok {}'; do
      curl -s --max-time 20 "${AUTH[@]}" -H "Mcp-Session-Id: $sid" \
        -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        --data-binary "{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"tools/call\",\"params\":{\"name\":\"${c%% *}\",\"arguments\":${c#* }}}" \
        "$M" >> "$TMP/b$n.out"
      done
    done
  done
}
rm -f "$TMP/good.fail"
pids=()
for n in 1 2; do bad_client "$n" & pids+=($!); done
for n in 1 2 3 4 5 6; do good_client "$n" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
[ ! -s "$TMP/good.fail" ] && ok "240 calls of 6 concurrent clients all succeeded beside 2 hostile clients" \
  || { fail "good calls failed:"; head -5 "$TMP/good.fail"; }
kill -0 "$SRV" 2>/dev/null && ok "the server is up" || fail "the server died"
n_err=$(grep -o '"isError":true' "$TMP/b1.out" | wc -l)
[ "$n_err" -eq 36 ] && ok "every hostile call failed with isError, every other call worked (36)" || fail "hostile isError count $n_err: $(head -c 300 "$TMP/b1.out")"
grep -q "$OTHER_SECRET\|root:" "$TMP/b1.out" "$TMP/b2.out" && fail "a hostile call read a file" || ok "no file leaked"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"); expect_code 200 "healthz after the storm"

# The circuit breaker, through the server.
open_session "$M" "${AUTH[@]}"; S=(-H "Mcp-Session-Id: $SID" "${AUTH[@]}")
for i in 1 2 3 4 5; do
  post "$M" "{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"tools/call\",\"params\":{\"name\":\"testing.crasher.segv\",\"arguments\":{}}}" "${S[@]}"
done
post "$M" '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"testing.crasher.ok","arguments":{}}}' "${S[@]}"
expect_body "not being restarted" "the breaker opens after 5 crashes in a row"
expect_body '"isError":true' "and the call fails at once"

# /metrics: behind the token, Prometheus text.
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics"); expect_code 401 "/metrics needs the token"
code=$(curl -s -o "$TMP/metrics" -w '%{http_code}' "${AUTH[@]}" "$URL/metrics"); expect_code 200 "/metrics"
body=$(cat "$TMP/metrics")
expect_body 'skillhost_tool_calls_total{skill="testing/noop",tool="testing/noop.echo"} 240' "calls per tool"
expect_body '# TYPE skillhost_tool_call_duration_seconds histogram' "latency histograms"
expect_body 'skillhost_tool_errors_total{skill="testing/crasher",tool="testing/crasher.segv"} 11' "errors per tool"
expect_body 'skillhost_circuit_breaker_open{skill="testing/crasher"} 1' "the breaker is exposed"
r=$(sed -n 's/^skillhost_worker_restarts_total{skill="testing\/hostile"} \([0-9]*\)$/\1/p' "$TMP/metrics")
[ "${r:-0}" -ge 30 ] && ok "worker restarts are counted ($r)" || fail "hostile restarts: ${r:-none}"
stop_server "$SRV"; [ "$stop_rc" = 0 ] && ok "the server stops cleanly" || fail "serve exited $stop_rc"

# --- the audit log ---
LOG=$SKILLHOST_HOME/logs/audit.jsonl
[ -f "$LOG" ] && ok "the audit log exists" || fail "no $LOG"
[ "$(stat -c %a "$LOG")" = 600 ] && ok "the audit log is 0600" || fail "audit log mode"
grep -q -- "$SECRET_ARG" "$LOG" && fail "an argument reached the audit log" || ok "no argument in the audit log"
grep -q -- "$OTHER_SECRET" "$LOG" && fail "a secret reached the audit log" || ok "no secret in the audit log"
n=$(wc -l < "$LOG")
bad=$(jq -c 'select((.ts and .caller.surface and .skill and .tool and .isolation and .status and (.duration_ms|type=="number") and (.bytes_in|type=="number") and (.bytes_out|type=="number"))|not)' "$LOG" 2>&1 | head -3)
[ -z "$bad" ] && [ "$n" -gt 300 ] && ok "all $n records have every field" || fail "records: $n, bad: $bad"
for st in ok timeout memory denied crashed unavailable; do
  jq -s -e --arg s "$st" 'any(.[]; .status==$s)' "$LOG" >/dev/null && ok "a $st record" || fail "no $st record"
done
jq -s -e 'any(.[]; .caller.surface=="cli" and .isolation=="in-process" and .tool=="testing/noop.echo")' "$LOG" >/dev/null \
  && ok "in-process calls are recorded as such" || fail "no in-process record"
DETAIL="crashed: SIGSEGV"; [ "$SANITIZED" = 1 ] && DETAIL="exited: 1"
jq -s -e --arg d "$DETAIL" 'any(.[]; .status=="crashed" and (.detail // "" | startswith($d)))' "$LOG" >/dev/null \
  && ok "a crash record says what happened" || fail "no '$DETAIL' detail"
finish
