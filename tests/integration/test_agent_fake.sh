#!/usr/bin/env bash
# `skillhost agent` against a local fake of every vendor's API
# (tests/fakes/fake_llm.mjs), which checks each request the host sends:
# auth and version headers, SigV4, tool declarations, tool results matched
# to their calls by id with the right error flags, and the whole history.
# Also: parallel calls run concurrently, 429 + Retry-After (seconds and an
# HTTP date), 500 -> fallback mid-conversation (the history converted to the
# next vendor's shape), still rate-limited -> fallback, a truncated
# transfer, a body that is not JSON, invalid JSON arguments, --max-steps,
# missing credentials, and that no key ever reaches stdout or stderr.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || { echo "FAIL: node is needed for the fake vendors"; exit 1; }
FAKE=$TESTS_DIR/fakes/fake_llm.mjs
HELLO=$LIB/hello.so
EVERY=$LIB/testing-everything.so
SLEEP=$LIB/testing-sleeper.so
SKILLS=(--skill "$HELLO" --skill "$EVERY")
rnd() { od -An -tx1 -N12 /dev/urandom | tr -d ' \n'; }
export OPENAI_API_KEY="sk-test-$(rnd)"
export AZURE_OPENAI_API_KEY="az-$(rnd)"
export ANTHROPIC_API_KEY="sk-ant-$(rnd)"
export GEMINI_API_KEY="AIza$(rnd)"
export AWS_ACCESS_KEY_ID="AKIA$(rnd | tr a-f A-F | cut -c1-16)"
export AWS_SECRET_ACCESS_KEY="$(rnd)/$(rnd)+k"
export AWS_SESSION_TOKEN="FwoG$(rnd)$(rnd)"
export AWS_REGION=eu-west-3
unset AWS_BEARER_TOKEN_BEDROCK OPENAI_BASE_URL ANTHROPIC_BASE_URL GOOGLE_GEMINI_BASE_URL OLLAMA_HOST OLLAMA_API_KEY
SECRETS=("$OPENAI_API_KEY" "$AZURE_OPENAI_API_KEY" "$ANTHROPIC_API_KEY" "$GEMINI_API_KEY" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN")
TOOLS=$("$SH" tools "${SKILLS[@]}" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(JSON.parse(s).map(t=>t.functionName))))')
PROMPT="Greet Ada, then report."

# `skillhost tools --format VENDOR`: the declarations the agent sends.
for f in openai openai-responses anthropic bedrock gemini gemini-openapi ollama; do
  run "$SH" tools --skill "$HELLO" --format "$f"; expect_rc 0 "tools --format $f"
  expect_out '"greet"' "tools --format $f uses the portable name"
done
run "$SH" tools --skill "$HELLO" --format openai; expect_out '"strict": false' "minLength keeps greet out of strict mode"
run "$SH" tools --skill "$HELLO" --format bedrock; expect_out '"inputSchema": {' "bedrock inputSchema"; expect_out '"json": {' "bedrock inputSchema.json"
run "$SH" tools --skill "$HELLO" --format gemini; expect_out '"parametersJsonSchema"' "gemini declares parametersJsonSchema"
run "$SH" tools --skill "$HELLO" --format gemini-openapi; expect_out '"type": "OBJECT"' "gemini-openapi upper-cases types"
run "$SH" tools --skill "$HELLO" --format openai-responses; expect_out '"type": "function",' "responses declarations are flat"
run "$SH" tools --skill "$HELLO" --format grok; expect_rc 2 "unknown --format"; expect_err "openai-responses" "known formats listed"
run "$SH" agent --help; expect_rc 0 "agent --help"; expect_out "AWS_BEARER_TOKEN_BEDROCK" "agent --help names the credentials"
FAKE_PID=

# start_fake NAME SCRIPTS_JSON [EXTRA_CONFIG_JSON]: PORT, REPORT set.
start_fake() {
  local cfg=$TMP/$1.json
  REPORT=$TMP/$1.report.json
  rm -f "$TMP/$1.port"
  cat >"$cfg" <<EOF
{"portFile": "$TMP/$1.port", "reportFile": "$REPORT", "lifetimeMs": 60000,
 "keys": {"openai": "$OPENAI_API_KEY", "azure": "$AZURE_OPENAI_API_KEY", "anthropic": "$ANTHROPIC_API_KEY", "gemini": "$GEMINI_API_KEY"},
 "aws": {"accessKeyId": "$AWS_ACCESS_KEY_ID", "secretAccessKey": "$AWS_SECRET_ACCESS_KEY", "sessionToken": "$AWS_SESSION_TOKEN", "region": "$AWS_REGION"},
 "anthropicAuth": "x-api-key", "anthropicVersion": "2023-06-01",
 "expectTools": $TOOLS, "prompt": "$PROMPT", "scripts": $2 ${3:+, $3}}
EOF
  node "$FAKE" "$cfg" & FAKE_PID=$!
  for _ in $(seq 600); do [ -s "$TMP/$1.port" ] && break; sleep 0.05; done
  PORT=$(cat "$TMP/$1.port")
  BASE=http://127.0.0.1:$PORT
}
stop_fake() {
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
  FAKE_PID=
}
trap 'stop_fake; cleanup_test' EXIT
report() { node -e 'const r=require(process.argv[1]);console.log(eval(process.argv[2]))' "$REPORT" "$1"; }
expect_clean() { # expect_clean WHAT SERVED
  local v; v=$(report 'r.violations.join(" | ")')
  [ -z "$v" ] && ok "$1: the fake found nothing wrong" || fail "$1: the fake saw: $v"
  [ "$(report 'r.requests')" = "$2" ] && ok "$1: $2 requests" || fail "$1: $(report 'r.requests') requests, wanted $2"
}
no_secrets() { # no_secrets WHAT: stdout and stderr hold no key
  local s leaked=0
  for s in "${SECRETS[@]}"; do
    case "$out$err" in *"$s"*) leaked=1 ;; esac
  done
  [ $leaked = 0 ] && ok "$1: no key in the output" || fail "$1: a key leaked into the output"
}
js() { node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(eval(process.argv[1]))' "$1"; }

# The scenario every vendor plays: three calls at once (one succeeds, one
# fails in the tool, one returns structured content), then bad calls (an
# unknown tool, arguments breaking the schema, and for string-argument
# vendors arguments that are not JSON), then the answer.
BAD_RAW='{"name":"greet","rawArgs":"{\"name\": \"Ada\"","expectError":true,"expectText":"not valid JSON"}'
scenario() { # scenario RAW(0|1)
  local raw=""; [ "$1" = 1 ] && raw=",$BAD_RAW"
  cat <<EOF
[{"calls":[{"name":"greet","args":{"name":"Ada"},"expectText":"Hello, Ada!"},
           {"name":"fail","args":{"why":"disk full"},"expectError":true,"expectText":"disk full"},
           {"name":"structured","args":{"n":4},"expectText":"16"}]},
 {"calls":[{"name":"no_such_tool","args":{},"expectError":true,"expectText":"no tool named"},
           {"name":"greet","args":{"nmae":"Bo"},"expectError":true,"expectText":"nmae"}$raw]},
 {"text":"All done."}]
EOF
}

run_vendor() { # run_vendor LABEL BACKEND MODEL BASE_SUFFIX RAW [extra args]
  local label=$1 backend=$2 model=$3 suffix=$4 raw=$5; shift 5
  local v=$backend; [ "$v" = openai-responses ] && v=responses
  start_fake "$label" "{\"$v\": $(scenario "$raw")}"
  run "$SH" -v agent --backend "$backend" --model "$model" --base-url "$BASE$suffix" \
      "${SKILLS[@]}" --json "$@" "$PROMPT"
  stop_fake
  expect_rc 0 "$label: the loop ends with the answer"
  expect_out '"answer": "All done."' "$label: the answer is reported"
  expect_clean "$label" 3
  [ "$(echo "$out" | js 'r.usage.input_tokens+"/"+r.usage.output_tokens')" = "303/33" ] \
    && ok "$label: usage summed from the vendor's responses" || fail "$label: usage $(echo "$out" | js 'JSON.stringify(r.usage)')"
  [ "$(echo "$out" | js 'r.transcript.filter(m=>m.role==="tool").map(m=>m.results.map(x=>x.is_error?1:0).join("")).join(",")')" \
    = "$( [ "$raw" = 1 ] && echo 010,111 || echo 010,11)" ] \
    && ok "$label: transcript records each result's error flag" || fail "$label: transcript flags"
  expect_err "usage: $backend ($model): 3 requests, 303 input + 33 output tokens" "$label: usage per backend on stderr"
  no_secrets "$label"
}

run_vendor openai openai gpt-fake /v1 1
run_vendor azure azure my-deployment "" 1
run_vendor responses openai-responses gpt-fake /v1 1
run_vendor anthropic anthropic claude-fake "" 0
run_vendor bedrock-sigv4-own bedrock amazon.nova-lite-v1:0 "" 0
run_vendor bedrock-sigv4-curl bedrock amazon.titan-text-express "" 0
run_vendor gemini gemini gemini-2.5-flash "" 0
run_vendor gemini-openapi gemini gemini-2.0-flash "" 0 --gemini-openapi
run_vendor ollama ollama llama3.2 "" 0
(
  export AWS_BEARER_TOKEN_BEDROCK="ABSK$(rnd)"
  SECRETS+=("$AWS_BEARER_TOKEN_BEDROCK")
  start_fake bedrock-bearer "{\"bedrock\": $(scenario 0)}" "\"bearerBedrock\": \"$AWS_BEARER_TOKEN_BEDROCK\""
  run "$SH" agent --backend bedrock --model amazon.nova-lite-v1:0 --base-url "$BASE" "${SKILLS[@]}" "$PROMPT"
  stop_fake
  expect_rc 0 "bedrock with an API key (bearer)"; expect_out "All done." "bearer: answer"
  expect_clean "bedrock-bearer" 3; no_secrets "bedrock-bearer"
  exit $failures
) || failures=$((failures + $?))

# Parallel calls run at the same time: three 400 ms sleeps in one turn.
start_fake parallel '{"openai":[{"calls":[{"name":"sleep","args":{"ms":400}},{"name":"sleep","args":{"ms":400}},{"name":"sleep","args":{"ms":400}}]},{"text":"rested"}]}' '"expectTools": ["sleep"]'
run "$SH" agent --backend openai --model m --base-url "$BASE/v1" --skill "$SLEEP" "$PROMPT"
stop_fake
expect_rc 0 "parallel calls"; expect_clean parallel 2
gap=$(report 'r.timings[0].sinceLastMs')
[ "$gap" -lt 1100 ] && ok "three 400 ms calls took ${gap} ms: concurrent" || fail "three 400 ms calls took ${gap} ms: not concurrent"

# 429 with Retry-After in seconds: the host waits that long, then goes on.
start_fake ratelimit '{"openai":[{"status":429,"headers":{"Retry-After":"1"}},{"text":"after the wait"}]}'
timed_run "$SH" agent --backend openai --model m --base-url "$BASE/v1" "${SKILLS[@]}" "$PROMPT"
stop_fake
expect_rc 0 "429 then success"; expect_out "after the wait" "answer after a 429"
expect_err "HTTP 429: scripted HTTP 429; retrying in 1.0 s" "the retry honours Retry-After"
[ "$ms" -ge 1000 ] && [ "$ms" -lt 6000 ] && ok "waited ${ms} ms for Retry-After: 1" || fail "waited ${ms} ms for Retry-After: 1"
expect_clean ratelimit 2

# Retry-After as an HTTP date (Anthropic shape).
when=$(date -u -d '+2 seconds' '+%a, %d %b %Y %H:%M:%S GMT')
start_fake ratedate "{\"anthropic\":[{\"status\":429,\"headers\":{\"Retry-After\":\"$when\"}},{\"text\":\"dated\"}]}"
timed_run "$SH" agent --backend anthropic --model c --base-url "$BASE" "${SKILLS[@]}" "$PROMPT"
stop_fake
expect_rc 0 "429 with an HTTP date"; expect_out "dated" "answer after a dated 429"
[ "$ms" -ge 900 ] && [ "$ms" -lt 6000 ] && ok "waited ${ms} ms for a date ~2 s ahead" || fail "waited ${ms} ms for a date ~2 s ahead"

# A 500 mid-conversation: after a retry, the conversation moves to Anthropic,
# which must receive OpenAI's turn converted (tool_use + tool_result, ids).
start_fake fallback '{"openai":[{"calls":[{"name":"greet","args":{"name":"Ada"},"expectText":"Hello, Ada!"}]},{"status":500},{"status":500}],
  "anthropic":[{"calls":[{"name":"fail","args":{"why":"nope"},"expectError":true,"expectText":"nope"}]},{"text":"finished on anthropic"}]}'
run env ANTHROPIC_BASE_URL="$BASE" "$SH" agent --backend openai --model gpt --base-url "$BASE/v1" \
    --fallback anthropic:claude-fake --retries 1 --json "${SKILLS[@]}" "$PROMPT"
stop_fake
expect_rc 0 "500 then fallback"; expect_out '"answer": "finished on anthropic"' "fallback answers"
expect_err "continuing the conversation on anthropic" "the switch is logged"
expect_clean fallback 5
[ "$(echo "$out" | js 'r.transcript.filter(m=>m.role==="assistant").map(m=>m.backend).join(",")')" = "openai,anthropic,anthropic" ] \
  && ok "transcript names the backend of each turn" || fail "transcript backends"
[ "$(echo "$out" | js 'r.failures.length+":"+r.failures[0].backend')" = "1:openai" ] && ok "the failure is reported" || fail "failures in --json"
[ "$(echo "$out" | js 'r.usage.backends.map(b=>b.backend+"="+b.requests+"/"+b.attempts).join(",")')" = "openai=1/3,anthropic=2/2" ] \
  && ok "usage per backend (requests/attempts)" || fail "usage per backend: $(echo "$out" | js 'JSON.stringify(r.usage.backends)')"

# Still rate-limited on Bedrock: the conversation goes on with Gemini, which
# gets Bedrock's calls with the placeholder thought signature.
start_fake ratefallback '{"bedrock":[{"calls":[{"name":"greet","args":{"name":"Bo"},"expectText":"Hello, Bo!"}]},{"status":429},{"status":429}],
  "gemini":[{"text":"gemini took over"}]}'
run env GOOGLE_GEMINI_BASE_URL="$BASE" "$SH" agent --backend bedrock --model anthropic.claude-3-haiku-20240307-v1:0 \
    --base-url "$BASE" --fallback gemini:gemini-2.5-pro --retries 1 --retry-max 1 "${SKILLS[@]}" "$PROMPT"
stop_fake
expect_rc 0 "rate-limited -> fallback"; expect_out "gemini took over" "gemini answers"
expect_err "still rate-limited after 1 retry" "the rate limit is named"
expect_clean ratefallback 4

# A transfer cut short is retried; a body that is not JSON is an error.
start_fake truncated '{"openai":[{"truncate":true},{"text":"whole this time"}]}'
run "$SH" agent --backend openai --model m --base-url "$BASE/v1" "${SKILLS[@]}" "$PROMPT"
stop_fake
expect_rc 0 "truncated response retried"; expect_out "whole this time" "answer after truncation"
expect_err "retrying" "truncation logged as a retry"
start_fake badjson '{"openai":[{"badJson":true}]}'
run "$SH" agent --backend openai --model m --base-url "$BASE/v1" "${SKILLS[@]}" "$PROMPT"
stop_fake
expect_rc 5 "malformed body"; expect_err "openai: the response is not valid JSON" "malformed body explained"

# A model that never answers hits the request timeout; a backend nobody
# listens on fails at connect; either way the fallback takes over.
start_fake hang '{"openai":[{"hangMs":5000}],"ollama":[{"text":"ollama answered"}]}'
timed_run env OLLAMA_HOST="127.0.0.1:$PORT" "$SH" agent --backend openai --model m --base-url "$BASE/v1" --timeout 1 --retries 0 \
    --fallback ollama:llama3.2 "${SKILLS[@]}" "$PROMPT"
stop_fake
expect_rc 0 "timeout -> fallback"; expect_out "ollama answered" "the fallback answers after a timeout"
expect_err "Timeout was reached" "the timeout is named"
[ "$ms" -lt 4000 ] && ok "--timeout 1 cut the request (${ms} ms)" || fail "--timeout 1 took ${ms} ms"
start_fake refused '{"anthropic":[{"text":"anthropic answered"}]}'
run env ANTHROPIC_BASE_URL="$BASE" "$SH" agent --backend openai --model m --base-url http://127.0.0.1:1/v1 --retries 1 \
    --fallback anthropic:claude "${SKILLS[@]}" --json "$PROMPT"
stop_fake
expect_rc 0 "connection refused -> fallback"; expect_out '"answer": "anthropic answered"' "fallback after a refused connection"
expect_err "retrying" "a refused connection is retried first"
expect_out '"attempts": 2' "both attempts counted"

# --max-steps: the model keeps calling tools.
loop='{"calls":[{"name":"greet","args":{"name":"Cy"}}]}'
start_fake maxsteps "{\"ollama\":[$loop,$loop,$loop]}"
run "$SH" agent --backend ollama --model m --base-url "$BASE" --max-steps 2 --json "${SKILLS[@]}" "$PROMPT"
stop_fake
expect_rc 5 "--max-steps reached"; expect_err "no final answer after 2 steps" "max-steps message"
expect_out '"status": "max-steps"' "--json says why it stopped"
expect_clean maxsteps 2

# Keys stay out of errors and logs, even when the vendor echoes them.
start_fake echo '{"openai":[{"status":401,"echoKey":true}],"anthropic":[{"status":401,"echoKey":true}]}'
run "$SH" -v agent --backend openai --model m --base-url "$BASE/v1" "${SKILLS[@]}" "$PROMPT"
expect_rc 5 "401"; expect_err "[redacted]" "the echoed key is redacted"; expect_err "check the credentials" "401 hint"
no_secrets "openai 401"
run env ANTHROPIC_BASE_URL="$BASE" "$SH" -v agent --backend anthropic --model m "${SKILLS[@]}" --json "$PROMPT"
no_secrets "anthropic 401 with --json"
stop_fake

# Missing credentials are named.
run env -u OPENAI_API_KEY "$SH" agent --backend openai --model m "$PROMPT"
expect_rc 2 "missing key"; expect_err "OPENAI_API_KEY is not set" "the variable is named"
run env -u AWS_ACCESS_KEY_ID "$SH" agent --backend bedrock --model m "$PROMPT"
expect_rc 2 "missing AWS key"; expect_err "AWS_ACCESS_KEY_ID is not set" "AWS variable named"
expect_err "AWS_BEARER_TOKEN_BEDROCK" "the bearer alternative is named"
run env -u AZURE_OPENAI_ENDPOINT "$SH" agent --backend azure --model d "$PROMPT"
expect_rc 2 "missing Azure endpoint"; expect_err "AZURE_OPENAI_ENDPOINT" "endpoint variable named"
run "$SH" agent --backend nope --model m "$PROMPT"; expect_rc 2 "unknown backend"
run "$SH" agent --backend openai --model m --fallback "bogus:x" "$PROMPT"; expect_rc 2 "bad --fallback"
run "$SH" agent --backend openai "$PROMPT"; expect_rc 2 "no --model"
run "$SH" agent --backend openai --model m --max-steps 0 "$PROMPT"; expect_rc 2 "--max-steps 0"
finish
