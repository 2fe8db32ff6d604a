#!/usr/bin/env bash
# `skillhost serve --stdio`: one JSON-RPC message per line, stdout carries
# only MCP, out-of-order answers, cancellation, over-long lines, shutdown
# on end of input and on SIGTERM, and list_changed after an install.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
LIBS=(--skill "$LIB/testing-everything.so" --skill "$LIB/testing-sleeper.so"
      --skill "$LIB/testing-noop.so")

# start: a server as a coprocess; its stdout is also kept in $TMP/out.
start() {
  rm -f "$TMP/pid"
  coproc SRV { sh -c 'echo $$ > "$1"; shift; exec "$@"' _ "$TMP/pid" \
                 "$SH" serve --stdio "$@" 2>"$TMP/stdio.err" | tee -a "$TMP/out"; }
  IN=${SRV[1]} OUT=${SRV[0]}
  for _ in $(seq 300); do [ -s "$TMP/pid" ] && break; sleep 0.1; done
  SPID=$(cat "$TMP/pid")
}
# close_in: end of input for the server.
close_in() { eval "exec $IN>&-"; }
send() { printf '%s\n' "$1" >&"$IN"; }
# recv_until PATTERN: read lines until one matches (10 s); sets line.
recv_until() {
  line=""
  while IFS= read -r -t 10 line <&"$OUT"; do
    case "$line" in *$1*) return 0 ;; esac
  done
  return 1
}

: > "$TMP/out"
start "${LIBS[@]}" --max-body 4096 --reload-interval 1
send "$INIT"
recv_until '"id":1' && case "$line" in *'"protocolVersion":"2025-11-25"'*) ok "initialize" ;; *) fail "initialize: $line" ;; esac \
  || fail "no initialize answer"
send '{"jsonrpc":"2.0","method":"notifications/initialized"}'

# A long call does not hold up what comes after it.
send '{"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"testing.sleeper.sleep","arguments":{"ms":800}}}'
send '{"jsonrpc":"2.0","id":"fast","method":"tools/call","params":{"name":"testing.noop.echo","arguments":{"text":"first"}}}'
recv_until '"id":' ; case "$line" in *'"id":"fast"'*) ok "answers arrive out of order" ;; *) fail "first answer: $line" ;; esac
recv_until '"id":"slow"' && ok "the long call answers later" || fail "no answer to the long call"

# Over-long lines are refused and the stream goes on.
big=$(head -c 6000 /dev/zero | tr '\0' 'x')
send "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"pad\":\"$big\"}}"
recv_until '"error"' && case "$line" in *"over 4096 bytes"*) ok "an over-long line is refused" ;; *) fail "long line: $line" ;; esac \
  || fail "no answer to an over-long line"
send '{"jsonrpc":"2.0","id":3,"method":"ping"}'
recv_until '"id":3' && ok "the stream goes on after it" || fail "no ping answer after the long line"
send 'not json'
recv_until '"code":-32700' && ok "a line that is not JSON gets -32700" || fail "no parse error"
send ''
send '{"jsonrpc":"2.0","id":4,"method":"ping"}'
recv_until '"id":4' && ok "blank lines are skipped" || fail "blank line broke the stream"

# Cancellation: no response, the sleeper notices.
send '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"testing.sleeper.sleep","arguments":{"ms":30000}}}'
sleep 0.3
send '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5,"reason":"test"}}'
recv_until 'sleeper saw cancellation' && ok "the sleeper saw the cancellation" || fail "no cancellation log"
send '{"jsonrpc":"2.0","id":6,"method":"ping"}'
recv_until '"id":6' && ok "ping after the cancellation" || fail "no ping after cancel"
sleep 0.2
grep -q '"id":5,' "$TMP/out" && fail "a cancelled call was answered" || ok "a cancelled call gets no response"

# list_changed when a skill is installed while the client is connected.
if install_for_test "$SKILLS_OUT/packages/testing-serial-1.0.0.skill"; then
  recv_until 'notifications/tools/list_changed' && ok "install sends list_changed on stdout" || fail "no list_changed"
  recv_until 'notifications/prompts/list_changed' && ok "and prompts/list_changed" || fail "no prompts/list_changed"
  recv_until 'notifications/resources/list_changed' && ok "and resources/list_changed" || fail "no resources/list_changed"
  send '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"testing.serial.stats","arguments":{}}}'
  recv_until '"id":7' && case "$line" in *'"result"'*) ok "the installed skill is callable" ;; *) fail "installed call: $line" ;; esac \
    || fail "no answer from the installed skill"
fi

# End of input: calls in flight are cancelled and the server exits.
send '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"testing.sleeper.sleep","arguments":{"ms":30000}}}'
sleep 0.2
t0=$(date +%s%N)
close_in
wait "$SRV_PID"; rc=$?
t=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$rc" = 0 ] && ok "exit 0 at end of input" || fail "exit $rc at end of input"
[ "$t" -lt 5000 ] && ok "promptly, cancelling the call in flight (${t} ms)" || fail "took ${t} ms to exit"
bad=0
while IFS= read -r l; do
  printf '%s' "$l" | node -e 'JSON.parse(require("fs").readFileSync(0,"utf8"))' 2>/dev/null || bad=$((bad + 1))
done < "$TMP/out"
[ "$bad" = 0 ] && ok "every stdout line is one JSON message ($(wc -l < "$TMP/out") lines)" || fail "$bad stdout lines are not JSON"
grep -q "testing/everything" "$TMP/stdio.err" || true

# A skill that prints to stdout does not corrupt the stream.
: > "$TMP/out"
start --skill "$LIB/testing-conformance.so"
send "$INIT"; recv_until '"id":1' >/dev/null
send '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"print_to_stdout"}}'
recv_until '"id":2' && case "$line" in *'"text":"printed"'*) ok "a printing skill answers" ;; *) fail "print: $line" ;; esac \
  || fail "no answer from the printing skill"
close_in; wait "$SRV_PID"
grep -q "stray output" "$TMP/out" && fail "a skill's print reached stdout" || ok "a skill's print stays off stdout"
grep -q "stray output" "$TMP/stdio.err" && ok "and goes to stderr" || fail "the print went nowhere"

# SIGTERM lets the call in flight finish and answer.
: > "$TMP/out"
start --skill "$LIB/testing-sleeper.so"
send "$INIT"; recv_until '"id":1' >/dev/null
send '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"testing.sleeper.sleep","arguments":{"ms":1000}}}'
sleep 0.3
kill -TERM "$SPID"
recv_until '"id":9' && case "$line" in *"slept 1000 ms"*) ok "SIGTERM drains the call in flight" ;; *) fail "drained: $line" ;; esac \
  || fail "no answer after SIGTERM"
wait "$SRV_PID"; rc=$?
[ "$rc" = 0 ] && ok "exit 0 after SIGTERM" || fail "exit $rc after SIGTERM"

# Plain text as input is answered, not crashed on; EOF right away is fine.
out=$(printf 'hello\n' | "$SH" serve --stdio 2>/dev/null); rc=$?
[ "$rc" = 0 ] && ok "garbage then EOF exits 0" || fail "garbage exit $rc"
case "$out" in *'"code":-32700'*) ok "garbage is a parse error" ;; *) fail "garbage: $out" ;; esac
finish
