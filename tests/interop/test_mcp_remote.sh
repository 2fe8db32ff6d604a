#!/usr/bin/env bash
# mcp-remote 0.15.1, the stdio bridge Claude Desktop users run for remote
# servers, bridging the official SDK client to `skillhost serve --http`
# with a bearer header (--header "Authorization:Bearer ..."): tools are
# listed and called, errors come back as isError, and an elicitation
# crosses the bridge both ways. The driver is mcp_remote.mjs.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
[ -f "$NM/mcp-remote/dist/proxy.js" ] || { fail "mcp-remote is missing from tests/node"; finish; }
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" > "$TMP/tok"; chmod 600 "$TMP/tok"
mkdir -p "$TMP/mcp-auth"
start_server remote --http 127.0.0.1:0 --token-file "$TMP/tok" \
  --skill "$LIB/hello.so" --skill "$LIB/testing-asker.so"
timeout 120 node "$TESTS_DIR/interop/mcp_remote.mjs" "$NM" "$URL/mcp" "$TOKEN" "$TMP/mcp-auth" \
  > "$TMP/drive.out" 2>&1; rc=$?
grep -E "^(ok|FAIL):" "$TMP/drive.out"
[ "$rc" = 0 ] && ok "the SDK client worked through mcp-remote" || { fail "driver exit $rc"; tail -20 "$TMP/drive.out"; }
grep -rq "$TOKEN" "$TMP/mcp-auth" 2>/dev/null && fail "mcp-remote stored the token" || ok "no token left on disk by the bridge"
stop_server "$PID"; [ "$stop_rc" = 0 ] && ok "server stops cleanly" || fail "server exit $stop_rc"
finish
