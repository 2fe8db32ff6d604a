#!/usr/bin/env bash
# Client profiles: with the three first-party skills and test skills whose
# tool names collide (echo, get_issue) or are 64 characters long, every
# tool served over MCP (stdio tools/list) and by `tools --format VENDOR`
# obeys the documented name and schema rules of Claude Desktop, Claude
# Code, Codex, Copilot, Cursor, VS Code, Anthropic, OpenAI, Bedrock,
# Gemini and Ollama (client_profiles.mjs); a call by the served name
# resolves; `tools --check` names what a target refuses and exits 1.
. "$(dirname "$0")/lib.sh"
HERE=$(dirname "$0")
LIBS=(--skill "$LIB/jira.so" --skill "$LIB/powerpoint.so" --skill "$LIB/salesforce.so"
      --skill "$LIB/testing-names.so" --skill "$LIB/testing-noop.so")
export SKILLHOST_HOME="$TMP/home"

# MCP over stdio: initialize, list, and call tools by their served names.
LONG=a_tool_name_of_exactly_sixty_four_characters_for_the_name_testss
{
  echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"profiles","version":"1"}}}'
  echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
  echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"names_echo","arguments":{"text":"portable"}}}'
  echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"'$LONG'","arguments":{}}}'
  echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"either","arguments":{"note":"no id or path"}}}'
  sleep 2
} | "$SH" serve --stdio "${LIBS[@]}" > "$TMP/mcp.out" 2> "$TMP/mcp.err"
if node "$HERE/client_profiles.mjs" mcp "$TMP/mcp.out" > "$TMP/mcp.check"; then
  ok "MCP tools/list: $(head -1 "$TMP/mcp.check")"
else
  fail "MCP tools/list: $(grep FAIL "$TMP/mcp.check" | head -5)"
fi
map=$(tail -1 "$TMP/mcp.check")
# The algorithm, end to end: bare when unique, skill_tool on a collision,
# 64 characters kept whole.
for pair in '["skillhost/jira.add_comment","add_comment"]' \
            '["skillhost/jira.get_issue","jira_get_issue"]' \
            '["testing/names.get_issue","names_get_issue"]' \
            '["testing/names.echo","names_echo"]' \
            '["testing/noop.echo","noop_echo"]' \
            '["testing/names.'$LONG'","'$LONG'"]' \
            '["skillhost/powerpoint.add_slides","add_slides"]'; do
  case "$map" in *"$pair"*) ok "served as $pair" ;; *) fail "not served as $pair: $map" ;; esac
done
grep -q '"id":3,"result":{"content":\[{"type":"text","text":"portable"}' "$TMP/mcp.out" \
  && ok "a call by the portable name resolves" || fail "call names_echo: $(grep '"id":3' "$TMP/mcp.out")"
grep -q '"id":4,"result"' "$TMP/mcp.out" && ok "a call by the 64-character name resolves" \
  || fail "call $LONG: $(grep '"id":4' "$TMP/mcp.out")"
# The served schema of "either" lost its anyOf; the original still guards
# the skill: neither id nor path is refused before the skill runs.
grep -q '"isError":true' <(grep '"id":5' "$TMP/mcp.out") \
  && ok "the original schema still validates arguments (anyOf unmet)" \
  || fail "either without id or path: $(grep '"id":5' "$TMP/mcp.out")"
grep -q 'Give one of: {id} | {path}' <(grep '"id":2' "$TMP/mcp.out") \
  && ok "the merged union is described to the model" || fail "no union note in either's schema"

# The vendors' shapes, as the agent sends them.
for f in anthropic openai bedrock gemini ollama; do
  run "$SH" tools "${LIBS[@]}" --format "$f"; expect_rc 0 "tools --format $f"
  printf '%s' "$out" > "$TMP/$f.json"
  if node "$HERE/client_profiles.mjs" "$f" "$TMP/$f.json" > "$TMP/$f.check"; then
    ok "$(head -1 "$TMP/$f.check")"
  else
    fail "$(grep FAIL "$TMP/$f.check" | head -5)"
  fi
done

# tools --check: "either" has a top-level anyOf that Anthropic refuses.
run "$SH" tools --check --client anthropic --skill "$LIB/testing-names.so"
expect_rc 1 "tools --check exits 1 on a refused construct"
expect_out "testing/names.either: top-level anyOf: refused by anthropic" "--check names tool, construct and target"
expect_out "(the host rewrites it when serving)" "--check says the host rewrites it"
run "$SH" tools --check --client ollama --skill "$LIB/testing-noop.so"
expect_rc 0 "tools --check passes a portable skill"
run "$SH" tools --check --json --client codex --skill "$LIB/testing-names.so"
expect_rc 1 "tools --check --json exits 1 too"
expect_out '"needsRewrite": true' "--check --json marks the rewrite"
printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const t=JSON.parse(s).find(x=>x.name==="testing/names.either");process.exit(t&&t.rejected&&t.findings.some(f=>f.construct==="top-level anyOf"&&f.rejectedBy.join()==="codex")?0:1)})' \
  && ok "--check --json names the construct and the target" || fail "--check --json: $out"
run "$SH" tools --check --client bogus --skill "$LIB/testing-names.so"
expect_rc 2 "an unknown --client is a usage error"; expect_err "claude-desktop" "the error lists the known clients"
finish
