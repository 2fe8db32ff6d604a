#!/usr/bin/env bash
# skillhost login/logout and the host-managed refresh of skills' OAuth
# tokens, end to end against oidc-provider, a bearer-checking Jira
# stand-in and the Salesforce org mock (see oauth_broker.mjs); and the
# CLI's usage errors.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
[ -d "$NM/oidc-provider" ] || { fail "oidc-provider is missing from tests/node"; finish; }
mkdir -p "$SKILLHOST_HOME"

run "$SH" login
expect_rc 2 "login without a skill is a usage error"
run "$SH" login skillhost/jira --device --jwt
expect_rc 2 "--device with --jwt is a usage error"
run "$SH" login skillhost/nothing
expect_rc 4 "login of a skill that is not installed"
expect_err "--manifest" "it says how to name a manifest"
run "$SH" login example/hello --manifest "$SOURCE_DIR/sdk/examples/hello/manifest.json"
expect_rc 2 "login of a skill without a provider"
expect_err "declares no OAuth provider" "it says the skill declares none"
run "$SH" logout skillhost/jira
expect_rc 4 "logout of a skill not logged in"

timeout 300 node "$TESTS_DIR/integration/oauth_broker.mjs" "$NM" "$SH" "$LIB" "$SOURCE_DIR" "$TMP" \
  > "$TMP/drive.out" 2>&1; rc=$?
grep -E "^(ok|FAIL):" "$TMP/drive.out"
[ "$rc" = 0 ] && ok "the broker driver passed" || { fail "driver exit $rc"; tail -40 "$TMP/drive.out"; }
finish
