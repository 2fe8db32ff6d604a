#!/usr/bin/env bash
# The skillhost CLI contract: help, exit codes, tools, call, config.
. "$(dirname "$0")/lib.sh"
HELLO=$LIB/hello.so
EVERY=$LIB/testing-everything.so

run "$SH" --version; expect_rc 0 "--version"; expect_out "skill ABI 1.0" "--version names the ABI"
run "$SH" help; expect_rc 0 "help"; expect_out "Exit codes" "help lists exit codes"
run "$SH"; expect_rc 2 "no command is a usage error"
run "$SH" frobnicate; expect_rc 2 "unknown command"; expect_err "skillhost help" "unknown command points at help"
run "$SH" --bogus tools; expect_rc 2 "unknown global option"
for c in tools call config new; do
  run "$SH" "$c" --help; expect_rc 0 "$c --help"; expect_out "usage: skillhost $c" "$c --help shows usage"
  run "$SH" help "$c"; expect_rc 0 "help $c"
done

run "$SH" tools --skill "$HELLO"; expect_rc 0 "tools --skill"
expect_out "example/hello.greet" "tools lists the canonical name"
run "$SH" tools --skill "$HELLO" --json; expect_rc 0 "tools --json"
expect_out '"mcpName": "greet"' "tools --json has the portable MCP name"
expect_out '"functionName": "greet"' "tools --json has the same function name"
expect_out '"readOnlyHint": true' "tools --json has hints"
run "$SH" --json tools --skill "$HELLO"; expect_rc 0 "global --json"; expect_out '"mcpName"' "global --json works"
run "$SH" tools --skill "$HELLO" --format mcp; expect_rc 0 "tools --format mcp"
expect_out '"name": "greet"' "MCP tool name (portable)"
expect_out '"io.skillhost/canonical": "example/hello.greet"' "MCP _meta keeps the canonical name"
expect_out '"annotations"' "MCP annotations"
run "$SH" tools --skill "$HELLO" --format bogus; expect_rc 2 "unknown --format"

run "$SH" call example/hello.greet '{"name":"Ada"}' --skill "$HELLO"
expect_rc 0 "call greet"; expect_out '"text": "Hello, Ada!"' "greet result"
run "$SH" call example.hello.greet '{"name":"Ada"}' --skill "$HELLO" --compact
expect_rc 0 "call by MCP name"; expect_out '{"content":[{"type":"text","text":"Hello, Ada!"}]}' "compact CallToolResult"
run "$SH" call greet '{"name":"Bo"}' --skill "$HELLO"; expect_rc 0 "call by bare name"
out=$(echo '{"name":"Cy"}' | "$SH" call example/hello.greet - --skill "$HELLO" --compact) && rc=0 || rc=$?
expect_rc 0 "args from stdin"; expect_out "Hello, Cy!" "stdin args reach the tool"

run "$SH" call example/hello.greet '{"nmae":"Ada"}' --skill "$HELLO"
expect_rc 1 "invalid args are a tool error"; expect_out '"isError": true' "isError set"
expect_out 'nmae' "the message names the bad field"
run "$SH" call example/hello.greet '{"name":' --skill "$HELLO"
expect_rc 1 "malformed JSON args"; expect_out "not valid JSON" "malformed JSON explained"
run "$SH" call example/hello.nope '{}' --skill "$HELLO"
expect_rc 4 "unknown tool"; expect_err "skillhost tools" "unknown tool hint"
run "$SH" call x '{}' --skill /nonexistent/skill.so; expect_rc 4 "missing skill file"
run "$SH" call ok '{}' --skill "$LIB/testing-broken-bad-major.so"
expect_rc 5 "refused skill"; expect_err "ABI 2.0" "refusal names versions"
run "$SH" call; expect_rc 2 "call without a tool"
run "$SH" call greet --timeout abc --skill "$HELLO"; expect_rc 2 "bad --timeout"

run "$SH" call testing/everything.fail '{"why":"no"}' --skill "$EVERY"
expect_rc 1 "tool error exit code"
run "$SH" call testing/sleeper.sleep '{"ms":3000}' --timeout 100 --skill "$LIB/testing-sleeper.so"
expect_rc 1 "deadline"; expect_out "deadline" "deadline explained"
run "$SH" call testing/everything.log '{}' --skill "$EVERY"
expect_err "skillhost: warning: testing/everything: log message at level 3" "skill logs reach stderr"
case "$err" in *"level 0"*) fail "debug logs hidden by default" ;; *) ok "debug hidden by default" ;; esac
run "$SH" -v call testing/everything.progress '{"steps":2}' --skill "$EVERY"
expect_err "progress 2/2 step 2 of 2" "-v shows progress"

# Per-skill settings through skill.config/1, checked against the skill's schema.
run "$SH" config testing/everything greeting hello; expect_rc 0 "config set"
run "$SH" config testing/everything greeting; expect_out "hello" "config get"
run "$SH" call testing/everything.config '{"key":"greeting"}' --skill "$EVERY"
expect_out "greeting=hello" "skill reads its setting"
run "$SH" config testing/everything greeting "far too long for the schema limit" --skill "$EVERY"
expect_rc 2 "schema refuses the setting"; expect_err "maximum length 20" "schema message"
run "$SH" config testing/everything colour red --skill "$EVERY"
expect_rc 2 "additionalProperties refuses unknown setting"
run "$SH" config testing/everything isolation sometimes; expect_rc 2 "bad isolation value"
run "$SH" config testing/everything timeout 2500; expect_rc 0 "policy set"
run "$SH" --json config testing/everything; expect_out '"timeout": "2500"' "config shows policy"
run "$SH" config testing/everything greeting --unset; expect_rc 0 "config unset"
run "$SH" config testing/everything greeting; expect_rc 4 "unset key is not found"
run "$SH" config NotASkill k v; expect_rc 2 "bad skill name"
[ "$(stat -c %a "$SKILLHOST_HOME/config.json")" = 600 ] && ok "config.json is 0600" || fail "config.json mode"
finish
