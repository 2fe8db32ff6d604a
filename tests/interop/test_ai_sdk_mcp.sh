#!/usr/bin/env bash
# Vercel's @ai-sdk/mcp 2.0.99 (createMCPClient, Streamable HTTP transport,
# Node 22) against `skillhost serve --http` with a bearer token: list the
# tools, call them as AI SDK tools (a result, an argument error), answer an
# elicitation mid-call, and be refused without the token. The driver is
# ai_sdk_mcp.mjs.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
NODE22=$NM/.bin/node
[ -x "$NODE22" ] && [ -f "$NM/@ai-sdk/mcp/dist/index.js" ] \
  || { fail "Node 22 or @ai-sdk/mcp is missing from tests/node"; finish; }
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" > "$TMP/tok"; chmod 600 "$TMP/tok"
start_server aisdk --http 127.0.0.1:0 --token-file "$TMP/tok" \
  --skill "$LIB/hello.so" --skill "$LIB/testing-asker.so"
timeout 120 "$NODE22" "$TESTS_DIR/interop/ai_sdk_mcp.mjs" "$NM" "$URL/mcp" "$TOKEN" \
  > "$TMP/drive.out" 2>&1; rc=$?
grep -E "^(ok|FAIL):" "$TMP/drive.out"
[ "$rc" = 0 ] && ok "the AI SDK client passed" || { fail "driver exit $rc"; tail -20 "$TMP/drive.out"; }
stop_server "$PID"; [ "$stop_rc" = 0 ] && ok "server stops cleanly" || fail "server exit $stop_rc"
finish
