#!/usr/bin/env bash
# The official MCP TypeScript SDK client (@modelcontextprotocol/sdk) on
# resources, prompts and completion, over stdio and Streamable HTTP with a
# bearer token, against testing-library with --page-size 2: it follows
# resources/list cursors to the end, reads every resource_link a call
# returned, gets a prompt, sees a missing argument refused and completes a
# prompt argument and a template variable. The driver is
# mcp_sdk_resources.mjs.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
DRIVER=$TESTS_DIR/interop/mcp_sdk_resources.mjs
LIBS=(--skill "$LIB/testing-library.so" --page-size 2)
export SKILLHOST_HOME

drive() {
  local what=$1; shift
  echo "--- $what"
  timeout 120 node "$DRIVER" "$NM" "$@" > "$TMP/drive.out" 2>"$TMP/drive.err"; local rc=$?
  cat "$TMP/drive.out"
  failures=$((failures + $(grep -c '^FAIL' "$TMP/drive.out")))
  [ "$rc" = 0 ] && ok "$what: the SDK client passed" || { fail "$what: driver exit $rc"; tail -20 "$TMP/drive.err"; }
}

drive stdio stdio "$SH" serve --stdio "${LIBS[@]}"
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" > "$TMP/tok"; chmod 600 "$TMP/tok"
start_server http --http 127.0.0.1:0 --token-file "$TMP/tok" "${LIBS[@]}"
drive "http with a token" http "$URL/mcp" "$TOKEN"
stop_server "$PID"; [ "$stop_rc" = 0 ] && ok "http server stops cleanly" || fail "http exit $stop_rc"
finish
