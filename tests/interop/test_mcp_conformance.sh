#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance
# 0.1.13, server scenarios, suite "all") against `skillhost serve --http
# --short-names` with the testing/conformance fixture skill. The tools,
# lifecycle, ping, logging, JSON Schema 2020-12, SSE and DNS-rebinding
# scenarios must pass without a warning; the rest (resources, prompts,
# completion, sampling, elicitation: features the host does not offer)
# are in conformance-baseline.yml, one reason each.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
CONF=$NM/@modelcontextprotocol/conformance/dist/index.js
BASE=$TESTS_DIR/interop/conformance-baseline.yml
REQUIRED=(server-initialize ping logging-set-level tools-list tools-call-simple-text
  tools-call-image tools-call-audio tools-call-embedded-resource tools-call-mixed-content
  tools-call-with-logging tools-call-error tools-call-with-progress json-schema-2020-12
  server-sse-polling server-sse-multiple-streams dns-rebinding-protection)

for s in "${REQUIRED[@]}"; do
  grep -q "^ *- $s\b" "$BASE" && fail "required scenario $s is in the baseline"
done

start_server conf --http 127.0.0.1:0 --short-names --skill "$LIB/testing-conformance.so"
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
if grep -E "\] +WARNING" "$TMP/conf.txt" | grep -v "elicitation\|sampling\|prompts\|resources\|completion"; then
  fail "warnings in required scenarios"
else
  ok "no warnings in the required scenarios"
fi
# The checks really ran and succeeded (from the suite's checks.json).
for id in tools-call-with-progress tools-call-with-logging tools-call-audio \
          localhost-host-rebinding-rejected localhost-host-valid-accepted \
          'json-schema-2020-12-$defs' server-accepts-multiple-post-streams; do
  if node -e 'const fs=require("fs"),p=require("path"),[dir,id]=process.argv.slice(1);
      const all=fs.readdirSync(dir).flatMap(d=>JSON.parse(fs.readFileSync(p.join(dir,d,"checks.json"),"utf8")));
      process.exit(all.some(c=>c.id===id&&c.status==="SUCCESS")?0:1)' "$TMP/results" "$id"; then
    ok "check $id succeeded"
  else
    fail "check $id did not succeed"
  fi
done
stop_server "$PID"
[ "$stop_rc" = 0 ] && ok "server stops cleanly" || fail "server exit $stop_rc"
finish
