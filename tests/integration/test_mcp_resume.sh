#!/usr/bin/env bash
# Resumable streams (Streamable HTTP, GET + Last-Event-ID): a proxy cuts a
# call's event stream mid-call, the client resumes it and gets the result
# exactly once, and the tool ran once (the audit log has one record of
# it). See mcp_resume.py for the client and the proxy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
mkdir -p "$SKILLHOST_HOME"

SKILLHOST_LOG_LEVEL=info start_server resume --http 127.0.0.1:0 --skill "$LIB/testing-sleeper.so"
python3 "$(dirname "$0")/mcp_resume.py" "$URL" > "$TMP/resume.out" 2>&1; rc=$?
cat "$TMP/resume.out"
[ "$rc" = 0 ] && ok "resumption through a cutting proxy" || fail "the resume client failed (exit $rc)"
grep -q "stream [0-9]* resumed" "$TMP/resume.err" && ok "the server logs the resumption" \
  || fail "no resumption in the server log: $(tail -5 "$TMP/resume.err")"
AUDIT=$SKILLHOST_HOME/logs/audit.jsonl
for _ in $(seq 20); do [ -s "$AUDIT" ] && break; sleep 0.1; done
# The cut call is the one of {"ms":1500} (11 bytes of arguments, and
# under 2.4 s); the others are {"ms":300} (10 bytes) and {"ms":2500}.
n=$(grep '"tool":"[^"]*sleep"' "$AUDIT" 2>/dev/null | grep '"bytes_in":11,' \
  | grep -cE '"duration_ms":(1[0-9]{3}|2[0-3][0-9]{2})\.')
[ "$n" = 1 ] && ok "the cut call ran exactly once (audit: $n record)" || fail "audit has $n records of it: $(cat "$AUDIT" 2>/dev/null)"
grep -q '"status":"ok"' "$AUDIT" && ok "and finished ok, not cancelled" || fail "the call did not finish ok: $(cat "$AUDIT")"
# A client that never comes back: its call is not cancelled at once (it
# may still resume), but once the grace (15 s) has passed.
t0=$(now_ms)
python3 "$(dirname "$0")/mcp_resume.py" "$URL" orphan || fail "the orphan client failed"
sleep 3
grep -q "sleeper saw cancellation" "$TMP/resume.err" && fail "the cut call was cancelled at once" \
  || ok "a cut call keeps running for a resumption"
for _ in $(seq 250); do grep -q "sleeper saw cancellation" "$TMP/resume.err" && break; sleep 0.1; done
t=$(( $(now_ms) - t0 ))
grep -q "sleeper saw cancellation" "$TMP/resume.err" && [ "$t" -ge 14000 ] && [ "$t" -lt 29000 ] \
  && ok "unresumed, it is cancelled after the grace (${t} ms)" || fail "no cancellation after the grace (${t} ms)"
stop_server "$PID"; [ "$stop_rc" = 0 ] && ok "server stops cleanly" || fail "server exit $stop_rc"
finish
