#!/usr/bin/env bash
# serve --http --auth-issuer with oidc-provider (certified OpenID provider)
# as the authorization server, and real OAuth clients end to end: the
# official SDK client's authProvider and mcp-remote, each from nothing but
# the server's URL (401 -> RFC 9728 metadata -> issuer metadata -> dynamic
# client registration -> authorization code with PKCE and the RFC 8707
# resource -> JWT access token -> tools/list and tools/call). The browser,
# sign-in and consent are played by oidc_browser.mjs. The driver is
# mcp_oauth_oidc.mjs; it also checks the provider's tokens for another
# resource are refused and a key rotation on the provider is picked up,
# and RFC 7662: opaque tokens through the provider's introspection
# endpoint (accepted, cached, another resource, unknown, revoked, bad
# client credentials).
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
for p in oidc-provider mcp-remote; do
  [ -d "$NM/$p" ] || { fail "$p is missing from tests/node"; finish; }
done
out=$("$SH" serve --http 127.0.0.1:0 --auth-issuer http://127.0.0.1:9 --auth-introspect http://127.0.0.1:9/i 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "go together" <<<"$out" && ok "--auth-introspect without client credentials is a usage error" \
  || fail "introspect alone: rc $rc: $out"
out=$("$SH" serve --http 127.0.0.1:0 --auth-introspect http://127.0.0.1:9/i --auth-client-id x --auth-client-secret-file /dev/null 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "need --auth-issuer" <<<"$out" && ok "--auth-introspect needs --auth-issuer" \
  || fail "introspect without issuer: rc $rc: $out"
printf 's3cret-value\n' > "$TMP/sec"; chmod 600 "$TMP/sec"
out=$("$SH" serve --http 127.0.0.1:0 --auth-issuer https://issuer.example --auth-introspect http://auth.example/i --auth-client-id x --auth-client-secret-file "$TMP/sec" --skill "$LIB/hello.so" 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "introspection endpoint must be https" <<<"$out" && ok "a plain-http introspection endpoint off loopback is refused" \
  || fail "http introspect: rc $rc: $out"
mkdir -p "$SKILLHOST_HOME"
timeout 300 node "$TESTS_DIR/interop/mcp_oauth_oidc.mjs" "$NM" "$SH" "$LIB/hello.so" "$TMP" \
  > "$TMP/drive.out" 2>&1; rc=$?
grep -E "^(ok|FAIL):" "$TMP/drive.out"
[ "$rc" = 0 ] && ok "the oidc-provider driver passed" || { fail "driver exit $rc"; tail -30 "$TMP/drive.out"; }
# The calls are audited under the subjects who signed in.
for who in alice bob; do
  n=$("$SH" audit query --principal "$who" --json 2>/dev/null | grep -c '"principal"')
  [ "${n:-0}" -gt 0 ] && ok "the audit log names $who, who signed in at the provider" \
    || fail "no audit record for $who"
done
"$SH" audit verify >/dev/null 2>&1 && ok "the audit chain verifies" || fail "audit verify failed"
finish
