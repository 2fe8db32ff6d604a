#!/usr/bin/env bash
# Resource governance with the real binaries: every call has a deadline
# (per call > per skill > host-wide > 60 s built in), in both executors and
# under `serve`; a client that hangs up or cancels gets its isolated worker
# killed and the pool slot back within 1 s; artifact quotas (per call, the
# whole store) and `skillhost artifacts list|prune`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
HOSTILE=(--skill "$LIB/testing-hostile.so")
# within LO HI MS what
within() {
  if [ "$3" -ge "$1" ] && [ "$3" -le "$2" ]; then ok "$4 (${3} ms)"; else
    fail "$4: took ${3} ms, wanted ${1}-${2}"; fi
}

# --- the deadline: who sets it ---
run "$SH" config --host timeout 0; expect_rc 2 "a zero host timeout is refused"
expect_err "must be a duration" "says what a duration is"
run "$SH" config --host timeout 5x; expect_rc 2 "a bad unit is refused"
run "$SH" config --host nonsense 1; expect_rc 2 "an unknown host key is refused"
expect_err "artifacts-keep" "names the host-wide keys"
run "$SH" call testing/hostile.ok '{}' --timeout 2parsecs "${HOSTILE[@]}"; expect_rc 2 "bad call --timeout"
expect_err "30s" "says the duration forms"

# An unconfigured skill gets the host-wide default: the built-in 60 s is
# too long for a test, so the host's default stands in for it (the unit
# test checks that nothing configured means 60 s).
run "$SH" config --host timeout 1s; expect_rc 0 "host-wide timeout 1s"
run "$SH" config --host timeout; expect_out "1000" "stored in milliseconds"
run "$SH" --json config --host; expect_out '"timeout": "1000"' "config --host --json"
timed_run "$SH" call testing/hostile.spin '{}' --compact "${HOSTILE[@]}"; took=$ms
expect_rc 1 "an unconfigured spinning skill fails"
expect_out "deadline passed" "with a clear deadline error"
within 900 3000 "$took" "at the host-wide default"

# Per skill beats host-wide; per call beats per skill.
run "$SH" config testing/hostile timeout 300ms; expect_rc 0 "skill timeout 300ms"
run "$SH" config testing/hostile timeout; expect_out "300" "the skill's timeout in ms"
timed_run "$SH" call testing/hostile.spin '{}' --compact "${HOSTILE[@]}"; took=$ms
expect_out "deadline passed" "the skill's timeout ends it"
within 250 1500 "$took" "per skill beats host-wide"
timed_run "$SH" call testing/hostile.spin '{}' --timeout 2s --compact "${HOSTILE[@]}"; took=$ms
expect_out "deadline passed" "the caller's timeout ends it"
within 1900 4000 "$took" "per call beats per skill"
run "$SH" config testing/hostile timeout --unset; expect_rc 0 "unset the skill's timeout"

# In-process: the skill ignores cancellation, so the CLI gives up on it.
timed_run "$SH" --in-process call testing/hostile.spin '{}' --compact "${HOSTILE[@]}"; took=$ms
expect_rc 1 "an in-process spinning skill fails"
expect_out "deadline passed" "with the deadline error"
within 2900 5000 "$took" "at the deadline plus the grace"
timed_run "$SH" --in-process call testing/hostile.sleep '{"ms":60000}' --compact "${HOSTILE[@]}"; took=$ms
expect_out "deadline passed" "an in-process sleeper too"

# serve --stdio: the same default applies to MCP calls.
reply=$( { printf '%s\n' "$INIT" '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"testing.hostile.spin","arguments":{}}}'; sleep 3; } \
  | timeout 20 "$SH" serve --stdio "${HOSTILE[@]}" 2>/dev/null)
case "$reply" in *'"id":2'*"deadline passed"*) ok "serve --stdio: an unconfigured spin ends at the default" ;;
  *) fail "serve --stdio spin: $reply" ;; esac
run "$SH" config --host timeout --unset; expect_rc 0 "unset the host-wide timeout"
run "$SH" config --host timeout; expect_rc 4 "no host timeout now"
expect_err "built-in default" "says the built-in default applies"

# --- cancellation: clients that hang up or cancel ---
# workers PID: the skill workers the server runs.
workers() { pgrep -P "$1" -f skillhost-worker | wc -l; }
# workers_within PID N MS: waits until the server runs at least N workers.
# The budget is generous: under ASan on a loaded CI machine a server takes
# seconds to load the store and start its first worker.
workers_within() {
  local t0; t0=$(now_ms)
  while [ "$(workers "$1")" -lt "$2" ] && [ $(( $(now_ms) - t0 )) -lt "$3" ]; do sleep 0.05; done
}
# gone_within PID MS: waits until the server has no worker; sets took.
gone_within() {
  local t0; t0=$(now_ms)
  while [ "$(workers "$1")" -gt 0 ] && [ $(( $(now_ms) - t0 )) -lt "$2" ]; do sleep 0.02; done
  took=$(( $(now_ms) - t0 ))
}
# in_flight: the spin calls the server is running (its /metrics gauge).
in_flight() {
  curl -s "$URL/metrics" | awk '/^skillhost_calls_in_flight[{].*testing\/hostile/ { n += $NF } END { print n + 0 }'
}
spin_call() { echo "{\"jsonrpc\":\"2.0\",\"id\":$1,\"method\":\"tools/call\",\"params\":{\"name\":\"testing.hostile.spin\",\"arguments\":{}}}"; }

start_server hang --http 127.0.0.1:0 "${HOSTILE[@]}"
SRV=$PID; M=$URL/mcp
open_session "$M"; S=(-H "Mcp-Session-Id: $SID")
# Six spinning calls: four fill the skill's pool of 4 workers, two wait.
cpids=()
for i in 1 2 3 4 5 6; do
  curl -s --max-time 120 -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' "${S[@]}" \
    --data-binary "$(spin_call $((i + 10)))" "$M" > /dev/null &
  cpids+=($!)
done
workers_within "$SRV" 4 30000
n=$(workers "$SRV")
[ "$n" -eq 4 ] && ok "4 workers spin, filling the pool" || fail "$n workers spin, wanted 4"
kill -9 "${cpids[@]}" 2>/dev/null; wait "${cpids[@]}" 2>/dev/null
gone_within "$SRV" 3000
[ "$(workers "$SRV")" -eq 0 ] && within 0 1000 "$took" "HTTP: every worker is killed once its client hangs up" \
  || fail "HTTP: $(workers "$SRV") workers still spin ${took} ms after the clients left"
t0=$(now_ms)
post "$M" '{"jsonrpc":"2.0","id":50,"method":"tools/call","params":{"name":"testing.hostile.ok","arguments":{}}}' "${S[@]}"
took=$(( $(now_ms) - t0 ))
expect_body '"text":"ok"' "HTTP: the next call on the skill is served"
within 0 2000 "$took" "HTTP: promptly (the pool is not exhausted)"
n=$(jq -s '[.[] | select(.tool=="testing/hostile.spin" and .caller.surface=="mcp" and .status=="cancelled")] | length' \
  "$SKILLHOST_HOME/logs/audit.jsonl")
[ "$n" -ge 4 ] && ok "the audit log records the $n hung-up calls as cancelled" || fail "cancelled records: $n"
# notifications/cancelled over HTTP: the client stays, the call goes.
curl -s --max-time 120 -o "$TMP/cancelled.out" -w '%{http_code}' -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' "${S[@]}" \
  --data-binary "$(spin_call 60)" "$M" > "$TMP/cancelled.code" & cp=$!
# A cancel for a request the server has not yet taken in is ignored (as the
# spec says), so wait until the call is in flight, not only its worker up.
for _ in $(seq 200); do [ "$(in_flight)" -ge 1 ] && break; sleep 0.05; done
[ "$(in_flight)" -ge 1 ] && ok "the spin call is in flight" || fail "the spin call never showed in /metrics"
post "$M" '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":60,"reason":"test"}}' "${S[@]}"
expect_code 202 "HTTP: notifications/cancelled accepted"
gone_within "$SRV" 3000
[ "$(workers "$SRV")" -eq 0 ] && within 0 1000 "$took" "HTTP: notifications/cancelled kills the spinning worker" \
  || fail "HTTP: the worker still spins after notifications/cancelled"
wait "$cp"
[ "$(cat "$TMP/cancelled.code")" = 202 ] && [ ! -s "$TMP/cancelled.out" ] && ok "HTTP: the cancelled request gets no response (202)" \
  || fail "HTTP: cancelled request answered $(cat "$TMP/cancelled.code"): $(cat "$TMP/cancelled.out")"
# The same without a session (stateless: each request its own session).
stop_server "$SRV"
start_server sl --http 127.0.0.1:0 --stateless "${HOSTILE[@]}"
SRV=$PID; M=$URL/mcp
curl -s --max-time 120 -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  --data-binary "$(spin_call 7)" "$M" > /dev/null & cp=$!
workers_within "$SRV" 1 30000
[ "$(workers "$SRV")" -ge 1 ] && ok "stateless HTTP: the spin runs" || fail "stateless HTTP: no worker after 30 s"
kill -9 "$cp"; wait "$cp" 2>/dev/null
gone_within "$SRV" 3000
[ "$(workers "$SRV")" -eq 0 ] && within 0 1000 "$took" "stateless HTTP: the worker is killed when the client hangs up" \
  || fail "stateless HTTP: the worker still spins"
stop_server "$SRV"

# serve --stdio: notifications/cancelled, then end of input, mid-call.
coproc STDIO { exec "$SH" serve --stdio "${HOSTILE[@]}" 2>"$TMP/stdio.err"; }
SPID=$STDIO_PID; IN=${STDIO[1]}; OUT=${STDIO[0]}
printf '%s\n' "$INIT" '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$(spin_call 2)" >&"$IN"
workers_within "$SPID" 1 30000
[ "$(workers "$SPID")" -ge 1 ] && ok "stdio: the spin runs" || fail "stdio: no worker after 30 s: $(cat "$TMP/stdio.err")"
printf '%s\n' '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}' >&"$IN"
gone_within "$SPID" 3000
[ "$(workers "$SPID")" -eq 0 ] && within 0 1000 "$took" "stdio: notifications/cancelled kills the spinning worker" \
  || fail "stdio: the worker still spins after cancel"
printf '%s\n' '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"testing.hostile.ok","arguments":{}}}' >&"$IN"
line=""; while IFS= read -r -t 10 line <&"$OUT"; do case "$line" in *'"id":3'*) break ;; esac; done
case "$line" in *'"text":"ok"'*) ok "stdio: the next call is served" ;; *) fail "stdio next call: $line" ;; esac
printf '%s\n' "$(spin_call 4)" >&"$IN"
workers_within "$SPID" 1 30000
[ "$(workers "$SPID")" -ge 1 ] && ok "stdio: the second spin runs" || fail "stdio: no worker for the second spin"
t0=$(now_ms); eval "exec $IN>&-"
for _ in $(seq 150); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.02; done
took=$(( $(now_ms) - t0 ))
kill -0 "$SPID" 2>/dev/null && { fail "stdio: still running after end of input"; kill -9 "$SPID"; } \
  || within 0 1500 "$took" "stdio: end of input mid-call cancels it and the server exits"

# --- artifact quotas ---
ART=$SKILLHOST_HOME/artifacts
big=$(head -c 2000 /dev/zero | tr '\0' x)
art() { run "$SH" call testing/hostile.artifact "{\"text\":\"$1\"}" --compact "${HOSTILE[@]}"; }
nfiles() { find "$ART" -type f 2>/dev/null | wc -l; }
art small; expect_rc 0 "an artifact within the quotas"
expect_out '"type":"resource_link"' "is linked"
run "$SH" config testing/hostile artifacts-call-max 1K; expect_rc 0 "per-skill artifacts-call-max"
run "$SH" config testing/hostile artifacts-call-max lots; expect_rc 2 "a bad size is refused"
art "$big"; expect_rc 1 "isolated: a call over its artifact cap fails"
expect_out "per-call cap of 1 KiB (artifacts-call-max)" "naming the cap"
expect_out "skillhost config testing/hostile artifacts-call-max SIZE" "and how to raise it"
[ "$(nfiles)" -eq 1 ] && ok "nothing half-written is left" || fail "files: $(ls -a "$ART")"
run "$SH" --in-process call testing/hostile.artifact "{\"text\":\"$big\"}" --compact "${HOSTILE[@]}"
expect_out "per-call cap of 1 KiB" "in-process: the same cap"
[ "$(nfiles)" -eq 1 ] && ok "in-process: nothing half-written is left" || fail "files: $(ls -a "$ART")"
run "$SH" config testing/hostile artifacts-call-max --unset
run "$SH" config --host artifacts-max 3K; expect_rc 0 "host-wide artifacts-max"
art "$big"; expect_rc 0 "an artifact that fits the store"
art "$big"; expect_rc 1 "one that does not"
expect_out "artifact store is full" "says the store is full"
expect_out "config --host artifacts-max SIZE" "and how to raise the cap"
expect_out "skillhost artifacts prune" "and how to free space"
[ "$(nfiles)" -eq 2 ] && ok "the refused artifact left nothing" || fail "files: $(ls -a "$ART")"

# --- skillhost artifacts list | prune ---
run "$SH" artifacts list; expect_rc 0 "artifacts list"
expect_out "testing/hostile" "names the skill that wrote each"
expect_out "hostile.txt" "and its name"
expect_out "2 artifacts" "counts them"
run "$SH" --json artifacts list; expect_rc 0 "--json artifacts list"
[ "$(printf '%s' "$out" | jq '.artifacts | length')" = 2 ] && ok "JSON lists both" || fail "JSON: $out"
[ "$(printf '%s' "$out" | jq -r '.artifacts[0].size, .artifacts[1].size' | tr '\n' ' ')" = "5 2000 " ] && ok "JSON has sizes, oldest first" || fail "JSON sizes: $out"
[ "$(printf '%s' "$out" | jq -r '.max_bytes')" = 3072 ] && ok "JSON has the cap" || fail "JSON cap: $out"
run "$SH" artifacts list --json; expect_rc 0 "artifacts list --json after the command"
printf '%s' "$out" | jq -e '.artifacts[0].skill == "testing/hostile"' >/dev/null && ok "JSON names the skill" || fail "JSON skill: $out"
run "$SH" artifacts frob; expect_rc 2 "an unknown subcommand"
run "$SH" artifacts list --all; expect_rc 2 "--all is for prune"
run "$SH" artifacts prune --all --older-than 1d; expect_rc 2 "--all or --older-than, not both"
run "$SH" artifacts prune --older-than soon; expect_rc 2 "a bad --older-than"
old=$(find "$ART" -type f -name '*hostile.txt' | head -1)
touch -d '10 days ago' "$old"
run "$SH" artifacts prune --dry-run; expect_rc 0 "prune --dry-run"
expect_out "would remove $(basename "$old")" "names what would go"
[ -f "$old" ] && ok "a dry run removes nothing" || fail "the dry run removed $old"
run "$SH" artifacts prune --older-than 30d; expect_out "removed 0 artifacts" "--older-than 30d keeps a 10-day-old one"
run "$SH" artifacts prune; expect_rc 0 "prune at the retention (7d)"
expect_out "removed 1 artifacts" "removes the expired one"
[ ! -f "$old" ] && [ "$(nfiles)" -eq 1 ] && ok "only the expired one" || fail "files: $(ls -a "$ART")"
# serve prunes at start.
old=$(find "$ART" -type f -name '*hostile.txt' | head -1)
touch -d '10 days ago' "$old"
run "$SH" config --host artifacts-keep 3d; expect_rc 0 "host-wide artifacts-keep"
printf '' | timeout 20 "$SH" serve --stdio "${HOSTILE[@]}" 2>/dev/null >/dev/null
[ ! -f "$old" ] && ok "serve start removes artifacts past the retention" || fail "serve kept $old"
art small; art small; [ "$(nfiles)" -eq 2 ] && ok "two new artifacts" || fail "files: $(ls -a "$ART")"
run "$SH" --json artifacts prune --all; expect_rc 0 "prune --all --json"
[ "$(printf '%s' "$out" | jq '.count')" -ge 1 ] && [ "$(nfiles)" -eq 0 ] && ok "--all removes every artifact" \
  || fail "prune --all: $out; files: $(ls -a "$ART")"

finish
