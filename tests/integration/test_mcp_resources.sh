#!/usr/bin/env bash
# MCP resources, prompts and completion through `skillhost serve` on stdio
# and HTTP, with the testing/library fixture (mcp_resources.py does the
# talking): every resource_link a tool returns is readable with
# resources/read by the session that made it and by no other, no server
# path or /artifacts URL reaches a client (structuredContent.path
# included), a read over the cap is refused naming the download, the HTTP
# download needs the token and the session that made it, and prompts/get
# and completion/complete answer from the skill's declarations. Installed,
# the skill's manifest adds its static prompt and resource to those of its
# skill.prompts/1 and skill.resources/1.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
command -v python3 >/dev/null || fail "python3 is missing"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$TMP/tok"; chmod 600 "$TMP/tok"
mkdir -p "$SKILLHOST_HOME"
python3 "$TESTS_DIR/integration/mcp_resources.py" "$SH" "$LIB" "$SKILLHOST_HOME" "$TMP/tok" > "$TMP/out" 2>&1
py_rc=$?
cat "$TMP/out"
failures=$((failures + $(grep -c '^FAIL' "$TMP/out")))
[ "$py_rc" = 0 ] || [ "$failures" -gt 0 ] || fail "the driver exited $py_rc"

# Installed: the manifest's declarations too.
export SKILLHOST_HOME=$TMP/installed
if install_for_test "$SKILLS_OUT/packages/testing-library-1.0.0.skill"; then
  { printf '%s\n' "$INIT" \
      '{"jsonrpc":"2.0","id":2,"method":"prompts/list"}' \
      '{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"library://manifest-note"}}' \
      '{"jsonrpc":"2.0","id":4,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"cite_source"},"argument":{"name":"format","value":"M"}}}' \
      '{"jsonrpc":"2.0","id":5,"method":"prompts/get","params":{"name":"cite_source","arguments":{"format":"APA"}}}' \
      '{"jsonrpc":"2.0","id":6,"method":"resources/subscribe","params":{"uri":"library://manifest-note"}}'
    sleep 1
    # A catalog change while subscribed: the resource may have changed.
    "$SH" install "$SKILLS_OUT/packages/testing-noop-1.0.0.skill" > /dev/null 2>&1
    for _ in $(seq 60); do grep -q 'resources/updated' "$TMP/inst.out" 2>/dev/null && break; sleep 0.1; done
  } | timeout 30 "$SH" serve --stdio > "$TMP/inst.out" 2>"$TMP/inst.err"
  body=$(cat "$TMP/inst.out")
  expect_body '"name":"cite_source"' "the manifest's prompt is listed"
  expect_body '"name":"summarize_report"' "beside the extension's"
  expect_body '"text":"Declared in the manifest."' "the manifest's resource is read"
  expect_body '"values":["MLA"]' "the manifest's argument values complete"
  expect_body '"text":"Cite it in APA format."' "the manifest's prompt is rendered"
  expect_body '"id":6,"result":{}' "a subscription to it"
  expect_body '"method":"notifications/resources/updated","params":{"uri":"library://manifest-note"}' \
    "resources/updated for it when the catalog changes"
  expect_body '"method":"notifications/prompts/list_changed"' "and prompts/list_changed"
fi
finish
