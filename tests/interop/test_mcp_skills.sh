#!/usr/bin/env bash
# Agent Skills over MCP (SEP-2640) with the official TypeScript SDK client
# (mcp_skills_client.mjs), over stdio and Streamable HTTP, against a store
# holding a package of two Agent Skills and a native tool plus a package of
# one Agent Skill: the extension, paginated skills/list, skills/get, every
# file read back against its digest, a prompt per skill, and a tampered
# installed SKILL.md refused when served. Then the SEP-2640 server
# scenarios of the pinned conformance-next release
# (sep-2640-skills-enumeration, -manifest, -directory) must pass with no
# failure and no warning. They negotiate 2026-07-28, which this server does
# not speak yet, so they run with --spec-version 2025-11-25 --force.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
DRIVER=$TESTS_DIR/interop/mcp_skills_client.mjs
NEXT=$NM/conformance-next/dist/index.js
NODE22=$NM/.bin/node
KEY=$SKILLS_OUT/dev
"$SH" trust add "$KEY.pub" --namespace testing >/dev/null
"$SH" trust add "$KEY.pub" --namespace acme >/dev/null

skill() { # skill DIR NAME DESCRIPTION
  mkdir -p "$1/scripts" "$1/references" "$1/assets"
  printf -- '---\nname: %s\ndescription: %s\nmetadata:\n  author: acme\n---\n# %s\n\nSee references/REF.md.\n' \
    "$2" "$3" "$2" >"$1/SKILL.md"
  printf '#!/bin/sh\necho %s\n' "$2" >"$1/scripts/run.sh"
  echo "reference of $2" >"$1/references/REF.md"
  printf '\x89PNG\r\n\x1a\n\x00\xff' >"$1/assets/logo.png"
}
SRC=$TMP/mixed
cp -r "$SKILLS_OUT/pkgsrc/testing-sleeper-1.0.0" "$SRC"
skill "$SRC/skills/alpha" alpha "Alpha skill, for alpha work."
skill "$SRC/skills/beta" beta "Beta skill, for beta work."
skill "$TMP/gamma" gamma "Gamma skill, for gamma work."
{ "$SH" pack "$SRC" -o "$TMP/mixed.skill" && "$SH" sign "$TMP/mixed.skill" -s "$KEY.sec" &&
  "$SH" install "$TMP/mixed.skill" &&
  "$SH" pack "$TMP/gamma" --namespace acme --version 1.0.0 -o "$TMP/g.skill" &&
  "$SH" sign "$TMP/g.skill" -s "$KEY.sec" && "$SH" install "$TMP/g.skill"; } >/dev/null ||
  { fail "set up the store"; finish; }
export SKILLS_EXPECT=alpha,beta,gamma

drive() { # drive WHAT ARGS...
  local what=$1; shift
  echo "--- $what"
  timeout 120 node "$DRIVER" "$NM" "$@" >"$TMP/drive.out" 2>"$TMP/drive.err"; local rc=$?
  grep -E "^(ok|FAIL):" "$TMP/drive.out"
  [ "$rc" = 0 ] && ok "$what: the SDK client passed" || { fail "$what: driver exit $rc"; tail -20 "$TMP/drive.err"; }
}

drive stdio stdio "$SH" serve --stdio --page-size 2

start_server http --http 127.0.0.1:0 --page-size 1
drive http http "$URL/mcp"

# The SEP-2640 conformance scenarios.
for sc in sep-2640-skills-enumeration sep-2640-skills-manifest sep-2640-skills-directory; do
  (cd "$NODE_DIR" && timeout 120 "$NODE22" "$NEXT" server --url "$URL/mcp" --scenario "$sc" \
    --spec-version 2025-11-25 --force) >"$TMP/$sc.out" 2>&1
  sed -i 's/\x1b\[[0-9;]*m//g' "$TMP/$sc.out"
  res=$(grep -E "^Passed: [0-9]+/[0-9]+, 0 failed, 0 warnings" "$TMP/$sc.out")
  if [ -n "$res" ] && ! grep -qE "\] (FAILURE|WARNING)" "$TMP/$sc.out"; then
    ok "$sc: $res"
  else
    fail "$sc"; grep -E "FAILURE|WARNING|error|Passed" "$TMP/$sc.out" | head -20
  fi
done
grep -q "sep-2640-entry-frontmatter-identical *\] SUCCESS" "$TMP/sep-2640-skills-enumeration.out" &&
  grep -q "sep-2640-resources-complete *\] SUCCESS" "$TMP/sep-2640-skills-enumeration.out" &&
  ok "the front matter and file list checks ran and passed" || fail "key enumeration checks missing"
grep -q "sep-2640-directory-read-subdir-mimetype *\] SUCCESS" "$TMP/sep-2640-skills-directory.out" &&
  grep -q "sep-2640-directory-read-invalid-params *\] SUCCESS" "$TMP/sep-2640-skills-directory.out" &&
  ok "resources/directory/read is declared and its checks ran and passed" || fail "directory checks did not run"
stop_server "$PID"

# A tampered installed SKILL.md is refused when served.
export TAMPER_SKILL=gamma
TAMPER_FILE=$(find "$SKILLHOST_HOME/skills/acme" -path '*skills/gamma/SKILL.md')
export TAMPER_FILE
drive "tampered file" stdio "$SH" serve --stdio --page-size 2
finish
