#!/usr/bin/env bash
# `skillhost agent` as a person at a terminal meets it (issue 18): Ctrl-C
# stops a hung model request and a slow tool within a second and exits
# 130; the steps show on stderr (--progress stands in for a terminal);
# artifacts are copied into --out without replacing a file; a bare
# --fallback backend uses its own default model, never the primary's; an
# endpoint without /v1 gets a hint; a failed run prints no usage summary.
. "$(dirname "$0")/lib.sh"
FAKE=$TESTS_DIR/integration/fake_model.py
SLEEP=$LIB/testing-sleeper.so
PPTX=$LIB/powerpoint.so
export OPENAI_API_KEY=sk-test-cli ANTHROPIC_API_KEY=sk-ant-test-cli
unset OPENAI_BASE_URL ANTHROPIC_BASE_URL SKILLHOST_ANTHROPIC_MODEL SKILLHOST_OPENAI_MODEL
FAKE_PID=
start_fake() { # start_fake NAME SCRIPT_JSON: sets BASE, LOG
  rm -f "$TMP/$1.port"; LOG=$TMP/$1.log; : >"$LOG"
  python3 "$FAKE" "$TMP/$1.port" "$LOG" "$2" & FAKE_PID=$!
  for _ in $(seq 600); do [ -s "$TMP/$1.port" ] && break; sleep 0.05; done
  BASE=http://127.0.0.1:$(cat "$TMP/$1.port")
}
stop_fake() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=; }
wait_for() { # wait_for FILE PATTERN: until FILE holds PATTERN (10 s)
  for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
# interrupt WHAT FILE PATTERN CMD...: start CMD, send SIGINT once FILE
# holds PATTERN (plus a moment, so the request or tool is truly under
# way), and require exit 130 within 1 s of the signal.
interrupt() {
  local what=$1 file=$2 pat=$3 pid t0 ms; shift 3
  "$@" >"$TMP/int.out" 2>"$TMP/int.err" & pid=$!
  if ! wait_for "$file" "$pat"; then fail "$what: never got under way"; kill -9 $pid; wait $pid 2>/dev/null; return; fi
  sleep 0.3
  t0=$(now_ms); kill -INT $pid; wait $pid; rc=$?; ms=$(( $(now_ms) - t0 ))
  err=$(cat "$TMP/int.err")
  [ "$rc" = 130 ] && ok "$what: exit 130" || { fail "$what: exit $rc, wanted 130"; echo "$err"; }
  [ "$ms" -lt 2000 ] && ok "$what: stopped ${ms} ms after SIGINT" || fail "$what: took ${ms} ms after SIGINT"
  case "$err" in *"usage: "*) fail "$what: a cancelled run printed a usage summary" ;; *) ok "$what: no usage summary" ;; esac
}

# 1. A model request that never answers: the default timeout is 300 s.
start_fake hang '["hang"]'
interrupt "hung model request" "$LOG" "chat/completions" \
  "$SH" agent --backend openai --model m --base-url "$BASE/v1" "hello"
stop_fake

# 2. A slow tool (60 s), isolated in its worker; the progress lines show
# the call with its arguments before the signal.
start_fake slow '[{"calls":[{"name":"testing__sleeper__sleep","args":{"ms":60000}}]},{"text":"slept"}]'
interrupt "slow tool" "$TMP/int.err" "testing__sleeper__sleep" \
  "$SH" agent --backend openai --model m --base-url "$BASE/v1" --skill "$SLEEP" --progress "sleep"
case "$err" in *'-> testing__sleeper__sleep {"ms": 60000}'*) ok "progress shows the tool and its arguments" ;;
  *) fail "progress lacks the tool call"; echo "$err" ;; esac
expect_err "step 1: asking openai (m)" "progress shows the model request"
[ "$(grep -c chat/completions "$LOG")" = 1 ] && ok "the cancelled tool's result was not sent to the model" \
  || fail "$(grep -c chat/completions "$LOG") model requests after the cancel"
stop_fake

# A second Ctrl-C forces: an in-process tool that ignores cancellation
# keeps the first from ending the run; the second kills it at once.
start_fake spin '[{"calls":[{"name":"testing__hostile__spin","args":{}}]},{"text":"never"}]'
"$SH" --in-process agent --backend openai --model m --base-url "$BASE/v1" --skill "$LIB/testing-hostile.so" \
  --progress "spin" >/dev/null 2>"$TMP/spin.err" & pid=$!
wait_for "$TMP/spin.err" "testing__hostile__spin"; sleep 0.3
kill -INT $pid; sleep 0.5
if kill -0 $pid 2>/dev/null; then ok "a tool that ignores cancellation outlives the first Ctrl-C"
  t0=$(now_ms); kill -INT $pid; wait $pid; rc=$?; ms=$(( $(now_ms) - t0 ))
  [ "$rc" = 130 ] && [ "$ms" -lt 1000 ] && ok "the second Ctrl-C forces exit 130 (${ms} ms)" \
    || fail "second Ctrl-C: exit $rc after ${ms} ms"
else wait $pid; fail "the spin ended on the first Ctrl-C (exit $?): cannot test the second"; fi
stop_fake

# 3. Progress, artifacts and the answer.
DECK='{"title":"Oslo","filename":"oslo.pptx","slides":[{"layout":"title","title":"Oslo weather"}]}'
DECK_SCRIPT="[{\"calls\":[{\"name\":\"skillhost__powerpoint__create_presentation\",\"args\":$DECK},{\"name\":\"testing__sleeper__sleep\",\"args\":{\"ms\":-1}}]},{\"text\":\"Your deck is ready.\"}]"
start_fake deck "$DECK_SCRIPT"
mkdir -p "$TMP/out"; echo keep >"$TMP/out/oslo.pptx"
run "$SH" agent --backend openai --model m --base-url "$BASE/v1" --skill "$PPTX" --skill "$SLEEP" \
  --progress --out "$TMP/out" "Make a deck about Oslo"
expect_rc 0 "agent with an artifact"
expect_out "Your deck is ready." "the answer on stdout"
expect_out "artifact: $TMP/out/oslo-2.pptx" "the artifact's path printed at the end"
[ "$(cat "$TMP/out/oslo.pptx")" = keep ] && ok "an existing file is not overwritten" || fail "oslo.pptx was replaced"
grep -q ppt/presentation.xml <(unzip -l "$TMP/out/oslo-2.pptx" 2>/dev/null) \
  && ok "the copy is the deck" || { cmp -s <(head -c2 "$TMP/out/oslo-2.pptx") <(printf PK) && ok "the copy is a zip" || fail "the copy is not the deck"; }
grep -q '^\.skillhost-copy' <(ls -a "$TMP/out") && fail "a temporary file was left" || ok "no temporary file left"
expect_err "<- skillhost__powerpoint__create_presentation done in" "progress shows the tool's end and duration"
expect_err "<- testing__sleeper__sleep failed in" "progress shows a failed call"
expect_err "minimum" "the failure says why"
expect_err "step 2: openai answered in" "progress shows the final answer's step"
expect_err "usage: openai (m): 2 requests" "a run that answered prints its usage"
stop_fake; start_fake deck2 "$DECK_SCRIPT"
run "$SH" agent --backend openai --model m --base-url "$BASE/v1" --skill "$PPTX" --skill "$SLEEP" --json --out "$TMP/out" "again"
expect_rc 0 "--json with an artifact"
expect_out "\"artifacts\": [" "--json lists the artifacts"
expect_out "oslo-3.pptx" "the next free name"
case "$err" in *"-> "*) fail "--json printed progress" ;; *) ok "--json prints no progress lines" ;; esac
stop_fake; start_fake deck3 "$DECK_SCRIPT"
run "$SH" agent --backend openai --model m --base-url "$BASE/v1" --skill "$PPTX" --skill "$SLEEP" --quiet --progress --out "$TMP/out" "quiet"
expect_rc 0 "--quiet"
[ -z "$err" ] && ok "--quiet: nothing on stderr" || fail "--quiet printed: $err"
stop_fake
run "$SH" agent --backend openai --model m --out "$TMP/nope" "x"
expect_rc 2 "--out must be a folder"; expect_err "not a folder" "--out names the problem"

# 4. --fallback with a bare backend takes that backend's default model
# ($SKILLHOST_<B>_MODEL, else a built-in one), never the primary's.
start_fake fb '[{"status":500},{"text":"from the fallback"}]'
run env OPENAI_BASE_URL="$BASE/v1" SKILLHOST_OPENAI_MODEL=fallback-default \
  "$SH" agent --backend openai --model primary-model --base-url "$BASE/v1" --retries 0 --fallback openai "hi"
expect_rc 0 "fallback after a 500"; expect_out "from the fallback" "the fallback answered"
[ "$(sed -n 2p "$LOG")" = "/v1/chat/completions model=fallback-default" ] \
  && ok "a bare --fallback uses its own configured model" || fail "the fallback sent: $(sed -n 2p "$LOG")"
stop_fake; start_fake fb2 '[{"status":500},{"text":"from the fallback"}]'
run env OPENAI_BASE_URL="$BASE/v1" "$SH" agent --backend openai --model primary-model --base-url "$BASE/v1" --retries 0 --fallback openai "hi"
[ "$(sed -n 2p "$LOG")" = "/v1/chat/completions model=gpt-4.1" ] \
  && ok "without configuration: the backend's built-in default" || fail "the fallback sent: $(sed -n 2p "$LOG")"
stop_fake
run "$SH" agent --backend openai --model m --fallback azure "hi"
expect_rc 2 "a bare azure fallback"; expect_err "azure:MODEL" "it asks for the deployment"

# On a real terminal the steps show without --progress (script(1) gives
# the run a pty); with stderr not a terminal they do not.
start_fake tty '[{"text":"hello there"}]'
if command -v script >/dev/null; then
  script -qec "$SH agent --backend openai --model m --base-url $BASE/v1 hi" /dev/null >"$TMP/tty.out" 2>&1 </dev/null
  grep -q "step 1: asking openai (m)" "$TMP/tty.out" && ok "a terminal shows the steps" || { fail "no steps on a terminal"; cat "$TMP/tty.out"; }
else fail "script(1) is needed for the terminal test"; fi
run "$SH" agent --backend openai --model m --base-url "$BASE/v1" "hi"
case "$err" in *"asking openai"*) fail "steps shown although stderr is not a terminal" ;; *) ok "no steps when stderr is not a terminal" ;; esac
stop_fake

# Retries show as they happen.
start_fake retry '[{"status":503},{"text":"after a retry"}]'
run "$SH" agent --backend openai --model m --base-url "$BASE/v1" --progress "hi"
expect_rc 0 "a retried request"; expect_err "HTTP 503" "the retry names the failure"; expect_err "retrying in" "and that it retries"
stop_fake

# 5. Endpoint hints, and no usage summary after a failure.
start_fake nov1 '[{"status":404}]'
run "$SH" agent --backend openai --model m --base-url "$BASE" "hi"
expect_rc 5 "a base URL without /v1"
expect_err "try --base-url $BASE/v1" "the hint suggests adding /v1"
case "$err" in *"usage: "*) fail "a failed run printed a usage summary" ;; *) ok "a failed run prints no usage summary" ;; esac
stop_fake
start_fake html '[{"html":true}]'
run "$SH" agent --backend openai --model m --base-url "$BASE/v1" "hi"
expect_rc 5 "a web page instead of the API"; expect_err "answered with a web page" "the hint names the web page"
stop_fake
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
run "$SH" agent --backend openai --model m --base-url "http://127.0.0.1:$port/v1" --retries 0 "hi"
expect_rc 5 "nothing listening"; expect_err "is the server running" "the hint asks whether the server runs"
finish
