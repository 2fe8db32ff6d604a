#!/usr/bin/env bash
# No first-party tool needs the host's schema rewrite: every schema of
# skillhost/jira, skillhost/powerpoint and skillhost/salesforce is already
# what every model vendor and MCP client accepts (`tools --check`, default
# targets), so what an operator inspects is exactly what a client gets.
# (Passes once the first-party skills lose their top-level oneOf.)
. "$(dirname "$0")/lib.sh"
export SKILLHOST_HOME="$TMP/home"
for s in jira powerpoint salesforce; do
  run "$SH" tools --check --json --skill "$LIB/$s.so"
  expect_rc 0 "skillhost/$s: no tool has a schema a target refuses"
  printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const bad=JSON.parse(s).filter(t=>t.needsRewrite||t.rejected).map(t=>t.name);if(bad.length){console.log(bad.join(", "));process.exit(1)}})' > "$TMP/bad" \
    && ok "skillhost/$s: no tool needs a rewrite" \
    || fail "skillhost/$s: these tools need a rewrite: $(cat "$TMP/bad")"
done
finish
