#!/usr/bin/env bash
# MCP resources, prompts and completion through `skillhost serve` on stdio
# and HTTP, with the testing/library fixture (mcp_resources.py does the
# talking): every resource_link a tool returns is readable with
# resources/read by the session that made it and by no other, no server
# path or /artifacts URL reaches a client (structuredContent.path
# included), a read over the cap is refused naming the download, the HTTP
# download needs the token and the session that made it, and prompts/get
# and completion/complete answer from the skill's declarations.
. "$TESTS_DIR/integration/lib.sh"
command -v python3 >/dev/null || fail "python3 is missing"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$TMP/tok"; chmod 600 "$TMP/tok"
mkdir -p "$SKILLHOST_HOME"
python3 "$TESTS_DIR/integration/mcp_resources.py" "$SH" "$LIB" "$SKILLHOST_HOME" "$TMP/tok" > "$TMP/out" 2>&1
py_rc=$?
cat "$TMP/out"
failures=$((failures + $(grep -c '^FAIL' "$TMP/out")))
[ "$py_rc" = 0 ] || [ "$failures" -gt 0 ] || fail "the driver exited $py_rc"
finish
