#!/usr/bin/env bash
# Server-to-client requests with the official TypeScript SDK client
# (@modelcontextprotocol/sdk 1.32.2): testing/asker (isolated, the default)
# elicits and samples mid-call over stdio and Streamable HTTP; the client
# answers, declines, breaks the form, or never answers (the call's
# deadline ends the wait); a client without the capabilities is refused
# clearly. With the host policy confirm-destructive on (stdio run), the
# destructive tool is confirmed first through elicitation, and refused for
# a client that cannot be asked. The driver is mcp_sdk_ask.mjs.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
DRIVER=$TESTS_DIR/interop/mcp_sdk_ask.mjs
ARGS=(--skill "$LIB/testing-asker.so" --call-timeout 3s)

drive() { # drive WHAT ARGS...
  local what=$1; shift
  timeout 120 node "$DRIVER" "$NM" "$@" > "$TMP/drive.out" 2>"$TMP/drive.err"; local rc=$?
  grep -E "^(ok|FAIL):" "$TMP/drive.out"
  [ "$rc" = 0 ] && ok "$what: the SDK client answered the server's requests" \
    || { fail "$what: driver exit $rc"; tail -20 "$TMP/drive.out" "$TMP/drive.err"; }
}

run "$SH" config --host confirm-destructive maybe
expect_rc 2 "confirm-destructive takes on or off only"
run "$SH" config --host confirm-destructive on; expect_rc 0 "the policy is set"
MCP_CONFIRM=1 drive stdio stdio "$SH" serve --stdio "${ARGS[@]}"
run "$SH" config --host confirm-destructive off
start_server ask --http 127.0.0.1:0 "${ARGS[@]}"
drive http http "$URL/mcp"
stop_server "$PID"; [ "$stop_rc" = 0 ] && ok "http server stops cleanly" || fail "http exit $stop_rc"
finish
