#!/usr/bin/env bash
# The marketplace end to end with `skillreg serve`: make a registry, allow
# publishers, add and publish packages (CLI and PUT /v1/packages), serve
# them with caching headers and ranges, and add, search, install
# (exact, caret, latest), list outdated, upgrade, rotate keys and work
# offline from the host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"

# ---- skillreg: init, publishers, add -------------------------------------
run "$SR" init "$REG"; expect_rc 0 "skillreg init"
[ -f "$KEYS/root.pub" ] && [ -f "$KEYS/index.sec" ] && ok "keys beside the registry" || fail "keys missing"
[ "$(stat -c %a "$KEYS/root.sec")" = 600 ] && ok "root.sec is 0600" || fail "root.sec mode"
[ -z "$(find "$REG" -name '*.sec')" ] && ok "no secret key in the served folder" || fail "secret key served"
run "$SR" init "$REG"; expect_rc 2 "init refuses an existing registry"
run "$SR" init "$TMP/reg2" --keys "$TMP/reg2/keys"; expect_rc 2 "init refuses keys inside the served folder"
expect_err "served to everyone" "the refusal says why"
if command -v minisign >/dev/null; then
  run minisign -Vm "$REG/index.json" -p "$KEYS/index.pub"; expect_rc 0 "real minisign verifies index.json"
  run minisign -Vm "$REG/root.json" -p "$KEYS/root.pub"; expect_rc 0 "real minisign verifies root.json"
fi
run "$SR" add "$REG" "$HELLO"; expect_rc 3 "add before any publisher is allowed"
expect_err "skillreg publisher add" "the refusal says how to allow a publisher"
run "$SR" publisher add "$REG" example "$DEVPUB"; expect_rc 0 "publisher add example"
run "$SR" publisher add "$REG" testing "$DEVPUB"; expect_rc 0 "publisher add testing"
run "$SR" publisher add "$REG" testing "$DEVPUB"; expect_rc 2 "the same publisher twice"
run "$SR" publisher list "$REG"; expect_out "example" "publisher list"
run "$SR" add "$REG" "$HELLO" "$NOOP"; expect_rc 0 "add two packages"
expect_out "index version" "add reports the new index version"
run "$SR" add "$REG" "$HELLO"; expect_rc 2 "a version is never published twice"
expect_err "already published" "the refusal says why"
V1=$(pack_versioned 1.0.0)
run "$SR" add "$REG" "$V1"; expect_rc 0 "add testing/versioned 1.0.0"
[ -f "$REG/packages/testing/versioned/versioned-1.0.0.skill" ] && ok "package stored under packages/" || fail "package path"
run "$SR" resign "$REG" --expires-in 2d; expect_rc 0 "resign"; expect_out "expires at" "resign says when"

# ---- serve: files and caching headers ------------------------------------
start_skillreg "$REG" --name test
ok "skillreg serve listens at $RS_URL"
run curl -fsSI "${RS_URL}index.json"; expect_out "max-age=30" "index.json is short-lived"
expect_out "ETag" "index.json has an ETag"
run curl -fsSI "${RS_URL}packages/example/hello/hello-1.0.0.skill"
expect_out "immutable" "packages are immutable"; expect_out "Last-Modified" "packages have Last-Modified"
etag=$(curl -fsSI "${RS_URL}index.json" | sed -n 's/^ETag: \(.*\)\r$/\1/p')
run curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "${RS_URL}index.json"
[ "$out" = 304 ] && ok "If-None-Match answers 304" || fail "conditional GET: $out"
run curl -s -o "$TMP/part" -w '%{http_code}' -r 100-199 "${RS_URL}packages/example/hello/hello-1.0.0.skill"
[ "$out" = 206 ] && [ "$(stat -c %s "$TMP/part")" = 100 ] && ok "a byte range answers 206" || fail "range: $out"
cmp -s "$TMP/part" <(tail -c +101 "$HELLO" | head -c 100) && ok "the range has the right bytes" || fail "range bytes"
run curl -s -o /dev/null -w '%{http_code}' -r 99999999- "${RS_URL}packages/example/hello/hello-1.0.0.skill"
[ "$out" = 416 ] && ok "an unsatisfiable range answers 416" || fail "416: $out"
for p in ../reg.keys/index.sec .tmp index.json.tmp.x packages/../../reg.keys/root.sec; do
  run curl -s -o /dev/null -w '%{http_code}' --path-as-is "${RS_URL}$p"
  [ "$out" = 404 ] && ok "not served: $p" || fail "$p answered $out"
done
run curl -s -o /dev/null -w '%{http_code}' -X DELETE "${RS_URL}index.json"
[ "$out" = 405 ] && ok "other methods: 405" || fail "DELETE answered $out"

# ---- the host: add, search, install --------------------------------------
run "$SH" registry add test "$RS_URL" --root-key "$KEYS/index.pub"
expect_rc 3 "registry add with the wrong root key"
run "$SH" registry add test "$RS_URL" --root-key "$KEYS/root.pub"
expect_rc 0 "registry add"; expect_out "3 packages" "add reports the packages"
expect_out "no publisher keys were trusted" "add trusts nothing by itself"
run "$SH" registry add test "$RS_URL" --root-key "$KEYS/root.pub"; expect_rc 2 "the same name twice"
run "$SH" registry list; expect_out "index    version" "registry list"
run "$SH" --json registry list; expect_out '"index_version"' "registry list --json"
run "$SH" search greet; expect_rc 0 "search by tool name"; expect_out "example/hello" "search finds hello by its tool"
run "$SH" search "one skill, several"; expect_out "testing/versioned" "search by description"
run "$SH" search zzzz-nothing; expect_rc 4 "search without a match"
run "$SH" search --json noop; expect_out '"registry": "test"' "search --json"
before=$(store_snapshot)
run "$SH" install example/hello; expect_rc 3 "install without trusting the publisher"
expect_err "skillhost registry trust test example" "the refusal says how to trust"
expect_store_unchanged "$before" "untrusted publisher"
run "$SH" registry trust test --list; expect_out "example" "registry trust --list"
# Namespaces are never implied: trusting "whatever the index lists" would
# let the index's signer publish as any namespace, skillhost/ included.
run "$SH" registry trust test; expect_rc 2 "registry trust without namespaces is refused"
expect_err "first-party" "the refusal explains the risk"
run "$SH" trust list; [ -z "$out" ] && ok "the refusal trusted nothing" || fail "trusted: $out"
run "$SH" registry add test2 "$RS_URL" --root-key "$KEYS/root.pub" --trust-publishers
expect_rc 2 "--trust-publishers without --namespace is refused"
[ ! -e "$SKILLHOST_HOME/registries/test2" ] && ok "and adds nothing" || fail "registry test2 was added"
run "$SH" registry trust test --namespace skillhost; expect_rc 4 "a namespace the index does not list"
"$SH" keygen -W -p "$TMP/own.pub" -s "$TMP/own.sec" >/dev/null
"$SH" trust add "$TMP/own.pub" --namespace example >/dev/null
own=$("$SH" --json trust list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
run "$SH" registry trust test --namespace example testing; expect_rc 0 "registry trust"
expect_err "namespace example was already trusted to key $own" "it warns when a namespace already had another key"
"$SH" trust remove "$own" >/dev/null
expect_out "trusted key" "registry trust prints each key"
run "$SH" trust list; expect_out "example,testing" "exactly the named namespaces are trusted"
case "$out" in *skillhost*) fail "skillhost namespace trusted" ;; *) ok "first-party namespace not trusted" ;; esac
run "$SH" install example/hello; expect_rc 0 "install example/hello from the registry"
expect_out "from registry test" "install names the registry"
run "$SH" call example/hello.greet '{"name":"registry"}'; expect_out "Hello, registry!" "the installed skill runs"
run "$SH" install testing/versioned@^2; expect_rc 4 "no version matches ^2"
expect_err "matching ^2" "the refusal names the range"
run env SKILLHOST_PROGRESS=1 "$SH" install testing/versioned@1.0.0; expect_rc 0 "install an exact version"
expect_err "100% " "a progress bar when asked for (as on a terminal)"
case "$err" in *"["*"100%"*) ;; *) fail "progress bar shape" ;; esac
"$SH" remove testing/versioned >/dev/null
run "$SH" install testing/versioned@1.0.0; expect_rc 0 "install again, not on a terminal"
case "$err" in *"100%"*) fail "a progress bar on a pipe" ;; *) ok "quiet when stderr is not a terminal" ;; esac
run "$SH" install 'testing/versioned@1.0'; expect_rc 2 "a partial version is not a version"
run "$SH" install 'Bad Name'; expect_rc 2 "a bad name"

# ---- publish over HTTP ---------------------------------------------------
V11=$(pack_versioned 1.1.0)
run "$SR" publish "$RS_URL" "$V11"; expect_rc 0 "skillreg publish"; expect_out "published testing/versioned 1.1.0" "publish reports it"
run "$SR" publish "$RS_URL" "$V11"; expect_rc 5 "publishing a version twice"
expect_err "HTTP 409" "an existing version is a conflict"
"$SH" keygen -W -p "$TMP/other.pub" -s "$TMP/other.sec" >/dev/null
VX=$(pack_versioned 0.9.0 "" 0 "$TMP/other.sec" "$TMP/other.pub")
run "$SR" publish "$RS_URL" "$VX"; expect_rc 3 "publishing with a key not allowed for the namespace"
expect_err "HTTP 403" "a foreign key is forbidden"
run curl -s -w '\n%{http_code}' -X PUT -F "package=@$V11" "${RS_URL}v1/packages"
case "$out" in *400) ok "a publish without a signature is 400" ;; *) fail "no signature: $out" ;; esac
run curl -s -w '\n%{http_code}' -X PUT --data-binary "@$V11" -H 'Content-Type: application/octet-stream' "${RS_URL}v1/packages"
case "$out" in *415) ok "a publish that is not multipart is 415" ;; *) fail "raw body: $out" ;; esac
cp "$V11.minisig" "$TMP/wrong.minisig"
run curl -s -w '\n%{http_code}' -X PUT -F "package=@$HELLO" -F "signature=@$TMP/wrong.minisig" "${RS_URL}v1/packages"
case "$out" in *403) ok "a signature of another package is 403" ;; *) fail "swapped signature: $out" ;; esac
[ -z "$(ls -A "$KEYS/uploads" 2>/dev/null)" ] && ok "no upload leftovers" || fail "upload leftovers"

# ---- outdated, upgrade, caret ranges -------------------------------------
run "$SH" outdated; expect_out "1.1.0" "outdated sees 1.1.0 (the index was refreshed)"
run "$SH" --json outdated; expect_out '"latest": "1.1.0"' "outdated --json"
run "$SH" upgrade; expect_rc 0 "upgrade"; expect_out "upgraded testing/versioned 1.0.0 -> 1.1.0" "upgrade reports it"
run "$SH" call testing/versioned.version '{}'; expect_out "1.1.0" "the upgraded code runs"
run "$SH" rollback testing/versioned; expect_out "1.0.0" "rollback after an upgrade"
run "$SH" install 'testing/versioned@^1.0'; expect_rc 0 "install ^1.0"
run "$SH" info testing/versioned; expect_out "1.1.0" "^1.0 picked the newest 1.x"
run "$SH" upgrade; expect_err "up to date" "nothing left to upgrade"

# ---- key rotation: clients follow the new root ---------------------------
run "$SR" rotate-key "$REG"; expect_rc 0 "rotate-key"; expect_out "root version 2" "a new root version"
[ -f "$REG/roots/2.root.json.prev.minisig" ] && ok "root 2 is signed by root 1's key" || fail "prev signature"
V09=$(pack_versioned 0.9.0)
run "$SR" add "$REG" "$V09"; expect_rc 0 "add after rotation (new index key)"
run "$SH" registry update test; expect_rc 0 "the client follows the rotation"
run "$SH" --json registry list; expect_out '"root_version": 2' "the client is at root version 2"
run "$SH" install testing/versioned@0.9.0; expect_rc 2 "an older version needs --allow-downgrade"
run "$SH" install testing/versioned@0.9.0 --allow-downgrade; expect_rc 0 "install after rotation"
run "$SR" rotate-key "$REG" --root; expect_rc 0 "rotate the root key too"
run "$SH" registry update test; expect_rc 0 "the client follows a root key rotation"
run "$SH" --json registry list; expect_out '"root_version": 3' "root version 3"
run "$SH" registry add fresh "$RS_URL" --root-key "$KEYS/root.pub"
expect_rc 0 "a new client pins the new root key"

# ---- offline: the cache, and expiry still enforced -----------------------
kill "$RS_PID"; wait "$RS_PID" 2>/dev/null
run "$SH" search --offline versioned; expect_rc 0 "search --offline without the server"
expect_out "testing/versioned" "the cached index answers"
run "$SH" search versioned; expect_rc 0 "search falls back to the cache when the server is gone"
run "$SH" registry update test; expect_rc 5 "update needs the server"
run "$SH" registry remove fresh; expect_rc 0 "registry remove"
run "$SH" registry remove fresh; expect_rc 4 "remove twice"
[ ! -e "$SKILLHOST_HOME/registries/fresh" ] && ok "its cache is gone" || fail "cache remains"
run "$SH" list; expect_out "testing/versioned" "installed skills stay"
finish
