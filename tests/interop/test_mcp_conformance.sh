#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance
# 0.1.16, server scenarios, suite "all", on the Node 22 it needs) against
# `skillhost serve --http` with the testing/conformance fixture skill (its
# tools have bare names, which the default portable tool names keep as
# they are unique). Every scenario must pass without a warning: tools,
# lifecycle, ping, logging, resources, prompts, completion, JSON Schema
# 2020-12, SSE, DNS rebinding, sampling and elicitation (SEP-1034
# defaults, SEP-1330 enums); conformance-baseline.yml is empty. The 0.2.0
# prerelease
# (conformance-next) runs too, with --spec-version 2025-11-25: its result
# is recorded in the output, and gates only the scenarios that pass on
# 0.1.16 as well.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
# The suite needs Node 22; tests/node pins it (the system node may be
# older).
NODE22=$NM/.bin/node
[ -x "$NODE22" ] || fail "Node 22 is missing from tests/node (npm install there)"
node() { "$NODE22" "$@"; }
CONF=$NM/@modelcontextprotocol/conformance/dist/index.js
CONF_NEXT=$NM/conformance-next/dist/index.js
BASE=$TESTS_DIR/interop/conformance-baseline.yml
REQUIRED=(server-initialize ping logging-set-level tools-list tools-call-simple-text
  tools-call-image tools-call-audio tools-call-embedded-resource tools-call-mixed-content
  tools-call-with-logging tools-call-error tools-call-with-progress json-schema-2020-12
  server-sse-polling server-sse-multiple-streams dns-rebinding-protection
  resources-list resources-read-text resources-read-binary resources-templates-read
  resources-subscribe resources-unsubscribe prompts-list prompts-get-simple
  prompts-get-with-args prompts-get-embedded-resource prompts-get-with-image
  completion-complete tools-call-sampling tools-call-elicitation
  elicitation-sep1034-defaults elicitation-sep1330-enums)

for s in "${REQUIRED[@]}"; do
  grep -q "^ *- $s\b" "$BASE" && fail "required scenario $s is in the baseline"
done

start_server conf --http 127.0.0.1:0 --skill "$LIB/testing-conformance.so"
cd "$NODE_DIR" || exit 1
node "$CONF" server --url "$URL/mcp" --suite all --expected-failures "$BASE" \
  -o "$TMP/results" > "$TMP/conf.out" 2>&1
rc=$?
sed 's/\x1b\[[0-9;]*m//g' "$TMP/conf.out" > "$TMP/conf.txt"
sed -n '/=== SUMMARY ===/,$p' "$TMP/conf.txt"
[ "$rc" = 0 ] && ok "conformance passes against the baseline" || fail "conformance exit $rc"
for s in "${REQUIRED[@]}"; do
  line=$(grep -E "^[✓✗] $s:" "$TMP/conf.txt")
  case "$line" in "✓ $s: "*" 0 failed") ok "$s" ;; *) fail "$s: ${line:-not run}" ;; esac
done
# A scenario passes with warnings too; the baseline check counts them as
# failures, and so do we.
if grep -E "\] +WARNING" "$TMP/conf.txt"; then
  fail "warnings in the scenarios"
else
  ok "no warnings in the scenarios"
fi
# The checks really ran and succeeded (from the suite's checks.json).
for id in tools-call-with-progress tools-call-with-logging tools-call-audio \
          localhost-host-rebinding-rejected localhost-host-valid-accepted \
          'json-schema-2020-12-$defs' server-accepts-multiple-post-streams \
          tools-call-sampling tools-call-elicitation \
          elicitation-sep1034-integer-default elicitation-sep1034-enum-default \
          elicitation-sep1330-legacy-enumnames elicitation-sep1330-titled-multi; do
  if node -e 'const fs=require("fs"),p=require("path"),[dir,id]=process.argv.slice(1);
      const all=fs.readdirSync(dir).flatMap(d=>JSON.parse(fs.readFileSync(p.join(dir,d,"checks.json"),"utf8")));
      process.exit(all.some(c=>c.id===id&&c.status==="SUCCESS")?0:1)' "$TMP/results" "$id"; then
    ok "check $id succeeded"
  else
    fail "check $id did not succeed"
  fi
done
# The prerelease, against the latest revision: recorded, and no scenario
# that passes on 0.1.16 may fail there.
node "$CONF_NEXT" server --url "$URL/mcp" --suite all --spec-version 2025-11-25 \
  -o "$TMP/results-next" > "$TMP/next.out" 2>&1
next_rc=$?
sed 's/\x1b\[[0-9;]*m//g' "$TMP/next.out" > "$TMP/next.txt"
echo "# conformance-next ($(node -p 'require(process.argv[1]).version' "$NM/conformance-next/package.json")) --spec-version 2025-11-25, exit $next_rc:"
sed -n '/=== SUMMARY ===/,$p' "$TMP/next.txt" | sed 's/^/#   /'
grep -q "^Total: " "$TMP/next.txt" && ok "conformance-next ran" || fail "conformance-next did not run"
for s in "${REQUIRED[@]}"; do
  line=$(grep -E "^[✓✗] $s:" "$TMP/next.txt")
  case "$line" in ""|"✓ $s: "*" 0 failed") ;; *) fail "conformance-next: $line" ;; esac
done
stop_server "$PID"
[ "$stop_rc" = 0 ] && ok "server stops cleanly" || fail "server exit $stop_rc"
finish
