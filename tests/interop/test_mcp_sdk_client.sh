#!/usr/bin/env bash
# The official MCP TypeScript SDK client (@modelcontextprotocol/sdk 1.32.2)
# against `skillhost serve`, over stdio, Streamable HTTP, HTTP with a bearer
# token and stateless HTTP: pagination with a small page size, every content
# type, progress, logging levels, cancelling a running sleeper call (the
# sleeper must see it) and concurrent calls. The driver is
# mcp_sdk_client.mjs.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
DRIVER=$TESTS_DIR/interop/mcp_sdk_client.mjs
LIBS=(--skill "$LIB/testing-everything.so" --skill "$LIB/testing-sleeper.so"
      --skill "$LIB/testing-noop.so" --page-size 3)

# drive WHAT ARGS...: run the driver, show its lines, count its verdict.
drive() {
  local what=$1; shift
  echo "--- $what"
  timeout 120 node "$DRIVER" "$NM" "$@" > "$TMP/drive.out" 2>"$TMP/drive.err"; local rc=$?
  grep -E "^(ok|FAIL):" "$TMP/drive.out"
  [ "$rc" = 0 ] && ok "$what: the SDK client passed" || { fail "$what: driver exit $rc"; tail -20 "$TMP/drive.err"; }
}

drive stdio stdio "$SH" serve --stdio "${LIBS[@]}"
grep -q "sleeper saw cancellation" "$TMP/drive.err" && ok "stdio: the server's log shows the sleeper saw it" \
  || fail "stdio: no cancellation in the server log"

start_server http --http 127.0.0.1:0 "${LIBS[@]}"
drive http http "$URL/mcp"
grep -q "sleeper saw cancellation" "$TMP/http.err" && ok "http: the server's log shows the sleeper saw it" \
  || fail "http: no cancellation in the server log"
stop_server "$PID"; [ "$stop_rc" = 0 ] && ok "http server stops cleanly" || fail "http exit $stop_rc"

TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" > "$TMP/tok"; chmod 600 "$TMP/tok"
start_server auth --http 127.0.0.1:0 --token-file "$TMP/tok" "${LIBS[@]}"
drive "http with a token" http "$URL/mcp" "$TOKEN"
timeout 30 node "$DRIVER" "$NM" http "$URL/mcp" wrong-token-0123456789 > "$TMP/bad.out" 2>&1
grep -q "FAIL: session" "$TMP/bad.out" && grep -qi "401\|unauthorized" "$TMP/bad.out" \
  && ok "a wrong token is refused (401)" || fail "wrong token: $(head -5 "$TMP/bad.out")"
stop_server "$PID"

# Stateless: no session, so notifications/cancelled cannot reach a call
# (documented); the driver skips that check.
start_server sl --http 127.0.0.1:0 --stateless "${LIBS[@]}"
MCP_STATELESS=1 drive "stateless http" http "$URL/mcp"
stop_server "$PID"; [ "$stop_rc" = 0 ] && ok "stateless server stops cleanly" || fail "stateless exit $stop_rc"
finish
