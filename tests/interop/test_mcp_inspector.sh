#!/usr/bin/env bash
# MCP Inspector's CLI (@modelcontextprotocol/inspector 2.12, its
# clients/cli entry, the one `mcp-inspector --cli` launches) lists and calls
# tools over stdio (it starts `skillhost serve --stdio` itself) and over
# Streamable HTTP with a bearer token. Tool names are taken from tools/list
# by their suffix, whatever naming scheme the server uses.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
# The CLI runs only when started by its real path (it compares argv[1]
# with its own module path), so resolve the node_modules symlinks.
INSPECTOR=$(realpath "$NM/@modelcontextprotocol/inspector/clients/cli/build/index.js")
[ -f "$INSPECTOR" ] || { fail "the Inspector 2.x CLI is missing: $INSPECTOR"; finish; }

# inspect ARGS...: run the Inspector CLI; stdout in $out.
inspect() {
  out=$(cd "$NODE_DIR" && timeout 60 node "$INSPECTOR" "$@" 2>"$TMP/insp.err") && rc=0 || rc=$?
  err=$(head -c 2000 "$TMP/insp.err")
}
# tool_named SUFFIX: the name in $out (a tools/list) ending in SUFFIX.
tool_named() {
  printf '%s\n' "$out" | sed -n 's/^ *"name": "\([^"]*'"$1"'\)",\{0,1\}$/\1/p' | head -1
}

inspect "$SH" serve --stdio --skill "$LIB/hello.so" --skill "$LIB/testing-everything.so" --method tools/list
expect_rc 0 "stdio tools/list"
GREET=$(tool_named greet); IMAGE=$(tool_named image); FAIL=$(tool_named fail)
[ -n "$GREET" ] && ok "lists the hello tool ($GREET)" || fail "no greet tool in: $out"
[ -n "$IMAGE" ] && [ -n "$FAIL" ] && ok "lists the everything tools" || fail "no image/fail tools"
expect_out '"readOnlyHint": true' "with annotations"
inspect "$SH" serve --stdio --skill "$LIB/hello.so" --method tools/call \
  --tool-name "$GREET" --tool-arg name=Ada
expect_rc 0 "stdio tools/call"; expect_out '"text": "Hello, Ada!"' "the greeting"
inspect "$SH" serve --stdio --skill "$LIB/testing-everything.so" --method tools/call \
  --tool-name "$IMAGE"
expect_rc 0 "stdio call returning an image"; expect_out '"mimeType": "image/png"' "image content"
inspect "$SH" serve --stdio --skill "$LIB/testing-everything.so" --method tools/call \
  --tool-name "$FAIL" --tool-arg why=nope
# 2.x reports a tool's isError result with exit 5 (tool_is_error) and
# still prints the result.
expect_rc 5 "an isError result exits 5"; expect_out '"isError": true' "isError shown"
expect_err '"tool_is_error"' "named tool_is_error on stderr"

TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" > "$TMP/tok"
start_server insp --http 127.0.0.1:0 --token-file "$TMP/tok" --skill "$LIB/hello.so"
inspect "$URL/mcp" --transport http --method tools/list --header "Authorization: Bearer $TOKEN"
expect_rc 0 "http tools/list"; expect_out "\"name\": \"$GREET\"" "lists over HTTP"
inspect "$URL/mcp" --transport http --method tools/call --tool-name "$GREET" \
  --tool-arg name=Bo --header "Authorization: Bearer $TOKEN"
expect_rc 0 "http tools/call"; expect_out '"text": "Hello, Bo!"' "calls over HTTP"
inspect "$URL/mcp" --transport http --method tools/list
[ "$rc" != 0 ] && ok "no token: the Inspector is refused" || fail "no token accepted"
stop_server "$PID"; [ "$stop_rc" = 0 ] && ok "server stops cleanly" || fail "server exit $stop_rc"
finish
