#!/usr/bin/env bash
# `skillhost agent` answering skills' questions (testing/asker, isolated):
# skill.sample/1 goes to the agent's own backend (a local OpenAI fake,
# agent_ask_fake.py) as a separate request without tools, and its answer
# reaches the skill; skill.elicit/1 with stdin not a terminal is refused
# with a clear reason; a destructive tool runs with confirm-destructive
# off, and with it on is refused the same way. (The terminal prompt itself is tested on a
# pseudo-terminal by unit test test_agent_ask.)
. "$(dirname "$0")/lib.sh"
mkdir -p "$SKILLHOST_HOME"
export OPENAI_API_KEY="sk-test-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
# run_agent: a fresh fake, one agent run; its requests in $TMP/requests
# and the tool results of its last turn in $results.
run_agent() {
  rm -f "$TMP/port" "$TMP/requests"
  python3 "$(dirname "$0")/agent_ask_fake.py" "$TMP/port" "$TMP/requests" & FAKE=$!
  for _ in $(seq 600); do [ -s "$TMP/port" ] && break; sleep 0.05; done
  run "$SH" agent --backend openai --model gpt-fake \
    --base-url "http://127.0.0.1:$(cat "$TMP/port")/v1" \
    --skill "$LIB/testing-asker.so" --json "Summarize, then ask me." </dev/null
  kill "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null
  results=$(python3 -c 'import json,sys
ls=[json.loads(l) for l in open(sys.argv[1]) if json.loads(l).get("tools")]
print(json.dumps([m for m in ls[-1]["messages"] if m["role"]=="tool"]))' "$TMP/requests")
}

run_agent
expect_rc 0 "the agent finishes"
expect_out '"answer": "Done."' "with the model's answer"
sampling=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    b=json.loads(l)
    if not b.get("tools"): print(json.dumps(b["messages"]))' "$TMP/requests")
case "$sampling" in
  *'"role": "system", "content": "Summarize in one sentence."'*'"role": "user", "content": "hello world"'*)
    ok "the skill's sampling request went to the backend, without tools" ;;
  *) fail "no sampling request with the skill's messages: $sampling" ;;
esac
case "$results" in *"model gpt-fake said: It greets the world. (stop: endTurn)"*)
  ok "the backend's answer reached the skill" ;; *) fail "summarize result: $results" ;; esac
case "$results" in *"not a terminal"*)
  ok "elicitation without a terminal is refused, saying why" ;; *) fail "ask result: $results" ;; esac
case "$results" in *"wiped (nothing"*)
  ok "with the policy off the destructive tool runs" ;; *) fail "wipe result: $results" ;; esac

run "$SH" config --host confirm-destructive on; expect_rc 0 "confirm-destructive on"
run_agent
expect_rc 0 "the agent finishes with the policy on"
case "$results" in *"wiped (nothing"*) fail "the destructive tool ran unconfirmed" ;;
  *"confirm-destructive is on, but the user could not be asked"*"not a terminal"*)
    ok "with the policy on and no terminal it is refused, saying why" ;;
  *) fail "wipe result with the policy on: $results" ;; esac
finish
