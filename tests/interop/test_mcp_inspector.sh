#!/usr/bin/env bash
# MCP Inspector's CLI (@modelcontextprotocol/inspector 1.0.3 --cli) lists
# and calls tools over stdio (it starts `skillhost serve --stdio` itself)
# and over Streamable HTTP with a bearer token.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
INSPECTOR=$NM/@modelcontextprotocol/inspector/cli/build/cli.js

# inspect ARGS...: run the Inspector CLI; stdout in $out.
inspect() {
  out=$(cd "$NODE_DIR" && timeout 60 node "$INSPECTOR" --cli "$@" 2>"$TMP/insp.err") && rc=0 || rc=$?
}

inspect "$SH" serve --stdio --skill "$LIB/hello.so" --skill "$LIB/testing-everything.so" --method tools/list
expect_rc 0 "stdio tools/list"
expect_out '"name": "example.hello.greet"' "lists the hello tool"
expect_out '"name": "testing.everything.image"' "lists the everything tools"
expect_out '"readOnlyHint": true' "with annotations"
inspect "$SH" serve --stdio --skill "$LIB/hello.so" --method tools/call \
  --tool-name example.hello.greet --tool-arg name=Ada
expect_rc 0 "stdio tools/call"; expect_out '"text": "Hello, Ada!"' "the greeting"
inspect "$SH" serve --stdio --skill "$LIB/testing-everything.so" --method tools/call \
  --tool-name testing.everything.image
expect_rc 0 "stdio call returning an image"; expect_out '"mimeType": "image/png"' "image content"
inspect "$SH" serve --stdio --skill "$LIB/testing-everything.so" --method tools/call \
  --tool-name testing.everything.fail --tool-arg why=nope
expect_rc 0 "an isError result still exits 0"; expect_out '"isError": true' "isError shown"

TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" > "$TMP/tok"
start_server insp --http 127.0.0.1:0 --token-file "$TMP/tok" --skill "$LIB/hello.so"
inspect "$URL/mcp" --transport http --method tools/list --header "Authorization: Bearer $TOKEN"
expect_rc 0 "http tools/list"; expect_out '"name": "example.hello.greet"' "lists over HTTP"
inspect "$URL/mcp" --transport http --method tools/call --tool-name example.hello.greet \
  --tool-arg name=Bo --header "Authorization: Bearer $TOKEN"
expect_rc 0 "http tools/call"; expect_out '"text": "Hello, Bo!"' "calls over HTTP"
inspect "$URL/mcp" --transport http --method tools/list
[ "$rc" != 0 ] && ok "no token: the Inspector is refused" || fail "no token accepted"
stop_server "$PID"; [ "$stop_rc" = 0 ] && ok "server stops cleanly" || fail "server exit $stop_rc"
finish
