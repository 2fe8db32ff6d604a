#!/usr/bin/env bash
# serve --http --auth-issuer: the OAuth 2.1 resource server against a real
# authorization server (oauth2-mock-server) started on loopback. The driver,
# mcp_oauth.mjs, asserts the RFC 9728 metadata, the 401/403 challenges,
# RS256/ES256/EdDSA tokens through the SDK client, the refusals (audience,
# expiry, nbf, issuer, unknown key, wrong key, alg none, HS256 confusion)
# a JWKS rotation mid-run, session binding and the SDK client's OAuth flow
# (discovery, code + PKCE). This script checks the CLI's usage errors.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
[ -d "$NM/oauth2-mock-server" ] || { fail "oauth2-mock-server is missing from tests/node"; finish; }

printf 'abcdefghijklmnopqrstuvwxyz012345\n' > "$TMP/tok"; chmod 600 "$TMP/tok"
out=$("$SH" serve --http 127.0.0.1:0 --token-file "$TMP/tok" --auth-issuer http://127.0.0.1:9 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "exclude each other" <<<"$out" && ok "--token-file with --auth-issuer is a usage error" \
  || fail "token-file + auth-issuer: rc $rc: $out"
out=$("$SH" serve --http 127.0.0.1:0 --auth-scope x 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "need --auth-issuer" <<<"$out" && ok "--auth-scope alone is a usage error" \
  || fail "auth-scope alone: rc $rc: $out"
out=$("$SH" serve --http 127.0.0.1:0 --auth-issuer http://127.0.0.1:9 --skill "$LIB/hello.so" 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "no authorization server metadata" <<<"$out" && ok "an unreachable issuer stops the start with a clear error" \
  || fail "unreachable issuer: rc $rc: $out"
out=$("$SH" serve --http 127.0.0.1:0 --auth-issuer http://auth.example --skill "$LIB/hello.so" 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "must be https" <<<"$out" && ok "a plain-http issuer off loopback is refused" \
  || fail "http issuer: rc $rc: $out"
out=$("$SH" serve --http 127.0.0.1:0 --auth-issuer http://localhost.evil.example --skill "$LIB/hello.so" 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "must be https" <<<"$out" && ok "a host that only starts like localhost is not loopback" \
  || fail "localhost.evil: rc $rc: $out"
out=$("$SH" serve --http 127.0.0.1:0 --auth-issuer http://127.0.0.1.evil.example --skill "$LIB/hello.so" 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "must be https" <<<"$out" && ok "nor one that starts like 127.0.0.1" \
  || fail "127.evil: rc $rc: $out"

# A store folder, so that the calls below are audited (a server of --skill
# files alone writes no log without one).
mkdir -p "$SKILLHOST_HOME"
timeout 180 node "$TESTS_DIR/interop/mcp_oauth.mjs" "$NM" "$SH" "$LIB/hello.so" "$TMP" \
  > "$TMP/drive.out" 2>&1; rc=$?
grep -E "^(ok|FAIL):" "$TMP/drive.out"
[ "$rc" = 0 ] && ok "the OAuth driver passed" || { fail "driver exit $rc"; tail -30 "$TMP/drive.out"; }
# The audit log names who called: the token's subject.
out=$("$SH" audit query --principal alice --json 2>&1); rc=$?
if [ "$rc" = 0 ] && printf '%s\n' "$out" | python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin if l.strip()]
assert recs, "no record for alice"
assert all(r["principal"] == "alice" for r in recs), recs
assert all(r["caller"]["sub"] == "alice" for r in recs), recs[0]
'; then ok "audit records name the token's subject"; else fail "audit by principal: rc $rc: $out"; fi
"$SH" audit verify >/dev/null 2>&1 && ok "the audit chain verifies" || fail "audit verify failed"
finish
