#!/usr/bin/env bash
# The store through the CLI, with the packages the build signed: keys,
# signing, verifying, trust, install/list/info/rollback/remove, tools and
# calls from the store, tampering, probe refusals, concurrency.
. "$(dirname "$0")/lib.sh"
PKG=$SKILLS_OUT/packages
DEVPUB=$SKILLS_OUT/dev.pub
HELLO=$PKG/example-hello-1.0.0.skill

# Keys and signatures.
run "$SH" keygen -W -p "$TMP/k.pub" -s "$TMP/k.sec"; expect_rc 0 "keygen"
[ "$(stat -c %a "$TMP/k.sec")" = 600 ] && ok "secret key is 0600" || fail "secret key mode"
run "$SH" keygen -W -p "$TMP/k.pub" -s "$TMP/k.sec"; expect_rc 5 "keygen refuses to overwrite"
expect_err "--force" "keygen says how to overwrite"
run "$SH" keygen -W -p "$TMP/k.pub" -s "$TMP/k.sec" --force; expect_rc 0 "keygen --force"
# The build's packages name the dev key as publisher, and sign refuses
# other keys for them: pack the same folder without a publisher.
run "$SH" pack "$SKILLS_OUT/pkgsrc/example-hello-1.0.0" -o "$TMP/h.skill"; expect_rc 0 "pack without a publisher"
run "$SH" sign "$TMP/h.skill" -s "$TMP/k.sec"; expect_rc 0 "sign"
run "$SH" verify "$TMP/h.skill" -p "$TMP/k.pub"; expect_rc 0 "verify with -p"
expect_out "example/hello 1.0.0" "verify names the package"
run "$SH" verify "$TMP/h.skill"; expect_rc 3 "verify against an empty trust store"
run "$SH" verify "$TMP/h.skill" -p "$DEVPUB"; expect_rc 3 "verify with the wrong key"
if command -v minisign >/dev/null; then
  run minisign -Vm "$TMP/h.skill" -p "$TMP/k.pub"; expect_rc 0 "real minisign accepts our signature"
fi

# Trust.
run "$SH" install "$HELLO"; expect_rc 3 "install without trust"; expect_err "trust add" "install says how to trust"
run "$SH" trust add "$DEVPUB" --namespace example --namespace testing; expect_rc 0 "trust add"
run "$SH" trust list; expect_out "example,testing" "trust list"
run "$SH" --json trust list; expect_out '"namespaces"' "trust list --json"
run "$SH" trust add "$DEVPUB"; expect_rc 2 "trust add needs a namespace"
run "$SH" trust add "$DEVPUB" --namespace 'Bad NS'; expect_rc 2 "bad namespace"

# Install, list, info, tools and calls from the store.
run "$SH" install "$HELLO"; expect_rc 0 "install"; expect_out "permissions it declares" "install shows permissions"
# Issue 18: the same version again is a no-op that exits 0, as for npm and
# brew (it used to be exit 2); the store is not touched.
before=$(cat "$SKILLHOST_HOME/installed.json")
run "$SH" install "$HELLO"; expect_rc 0 "reinstalling the same version is a no-op"
expect_out "already installed; nothing to do" "the no-op says so"
[ "$before" = "$(cat "$SKILLHOST_HOME/installed.json")" ] && ok "the no-op leaves the store as it was" || fail "the no-op changed installed.json"
run "$SH" --json install "$HELLO"; expect_rc 0 "global --json install"; expect_out '"changed": false' "install --json reports the no-op"
run "$SH" install --json "$HELLO"; expect_rc 0 "install --json"; expect_out '"name": "example/hello"' "install --json names the skill"
run "$SH" install "$HELLO" --force; expect_rc 0 "install --force"
run "$SH" install "$PKG/testing-everything-1.0.0.skill"; expect_rc 0 "install everything"
run "$SH" list; expect_out "example/hello" "list"; expect_out "testing/everything" "list both"
run "$SH" list --json; expect_out '"tools": 14' "list --json counts tools"
run "$SH" info example/hello; expect_out "publisher key" "info"; expect_out "example/hello.greet" "info lists tools"
run "$SH" info testing/nope; expect_rc 4 "info of a missing skill"
run "$SH" tools; expect_out "testing/everything.structured" "tools from the store"
run "$SH" call example/hello.greet '{"name":"store"}' --compact
expect_rc 0 "call from the store"; expect_out "Hello, store!" "store call result"
run "$SH" call testing/everything.config '{"key":"x"}'; expect_rc 0 "config ext from the store"

# The dev loop: a --skill file takes the place of the installed skill.
run "$SH" tools --skill "$LIB/hello.so"; expect_rc 0 "--skill beside the store"

# Probe refusals: code that crashes or fails in its entry or init.
for v in crash-init crash-entry init-fails; do
  run "$SH" install "$PKG/testing-broken-$v-1.0.0.skill"
  expect_rc 5 "probe refuses $v"; expect_err "separate process" "$v refusal says where it failed"
done
run "$SH" list; expect_rc 0 "the installer survived the crashing skills"
case "$out" in *testing/broken*) fail "a broken skill got installed" ;; *) ok "no broken skill installed" ;; esac
[ -z "$(ls -A "$SKILLHOST_HOME/staging" 2>/dev/null)" ] && ok "no staging leftovers" || fail "staging leftovers"

# Tampering after install is caught before the code is loaded.
so=$(ls "$SKILLHOST_HOME"/skills/example/hello/*/lib/*/hello.so)
cp "$so" "$TMP/orig.so"
printf 'X' | dd of="$so" bs=1 seek=4000 conv=notrunc 2>/dev/null
run "$SH" call example/hello.greet '{"name":"x"}'; expect_rc 3 "tampered library refused"
expect_err "hello.so was changed after install" "refusal names the file"
cp "$TMP/orig.so" "$so"
run "$SH" call example/hello.greet '{"name":"x"}'; expect_rc 0 "restored library loads"

# A package signed by the real minisign, with our trusted-comment format,
# installs like one we signed ourselves.
if command -v minisign >/dev/null && command -v b2sum >/dev/null; then
  minisign -G -W -p "$TMP/m.pub" -s "$TMP/m.sec" >/dev/null 2>&1
  # Packed without -p: the manifest then names no publisher key.
  "$SH" pack "$SKILLS_OUT/pkgsrc/testing-sleeper-1.0.0" -o "$TMP/ms.skill" >/dev/null
  h=$(b2sum -l 256 "$TMP/ms.skill" | cut -d' ' -f1)
  minisign -S -s "$TMP/m.sec" -m "$TMP/ms.skill" \
    -t "skillhost-package:1 name:testing/sleeper version:1.0.0 blake2b256:$h timestamp:$(date +%s)" >/dev/null 2>&1
  run "$SH" trust add "$TMP/m.pub" --namespace testing; expect_rc 0 "trust a minisign key"
  run "$SH" install "$TMP/ms.skill"; expect_rc 0 "install a package signed by minisign -S"
  run "$SH" call testing/sleeper.sleep '{"ms":1}' --compact; expect_out "slept 1 ms" "the minisign-signed skill runs"
  minisign -S -l -s "$TMP/m.sec" -m "$TMP/ms.skill" \
    -t "skillhost-package:1 name:testing/sleeper version:1.0.0 blake2b256:$h timestamp:1" >/dev/null 2>&1
  run "$SH" install "$TMP/ms.skill" --force; expect_rc 3 "legacy minisign -l signature refused"
  "$SH" remove testing/sleeper >/dev/null
  # The build's packages name the dev key as publisher: signed by another
  # trusted key, they are refused.
  h=$(b2sum -l 256 "$PKG/testing-noop-1.0.0.skill" | cut -d' ' -f1)
  cp "$PKG/testing-noop-1.0.0.skill" "$TMP/pub.skill"
  minisign -S -s "$TMP/m.sec" -m "$TMP/pub.skill" \
    -t "skillhost-package:1 name:testing/noop version:1.0.0 blake2b256:$h timestamp:1" >/dev/null 2>&1
  run "$SH" install "$TMP/pub.skill"; expect_rc 3 "a key other than the manifest's publisher is refused"
  expect_err "names publisher key" "the refusal names the publisher key"
fi

# Rollback and remove.
run "$SH" rollback example/hello; expect_rc 4 "no previous version"
run "$SH" remove example/hello; expect_rc 0 "remove"
run "$SH" remove example/hello; expect_rc 4 "remove twice"
run "$SH" call example/hello.greet '{"name":"x"}'; expect_rc 4 "removed tool is gone"
[ ! -e "$SKILLHOST_HOME/skills/example" ] && ok "removed files are gone" || fail "removed files remain"

# Concurrent installs serialize; readers always see a whole index.
"$SH" remove testing/everything >/dev/null
( for i in 1 2 3; do "$SH" install "$PKG/testing-noop-1.0.0.skill" --force >/dev/null 2>&1; done ) &
a=$!
( for i in 1 2 3; do "$SH" install "$PKG/testing-sleeper-1.0.0.skill" --force >/dev/null 2>&1; done ) &
b=$!
bad=0
while kill -0 $a 2>/dev/null || kill -0 $b 2>/dev/null; do
  "$SH" list --json >/dev/null 2>&1 || bad=$((bad + 1))
done
wait $a; wa=$?; wait $b; wb=$?
[ $wa -eq 0 ] && [ $wb -eq 0 ] && ok "concurrent installs both succeed" || fail "concurrent installs: $wa $wb"
[ $bad -eq 0 ] && ok "readers never saw a partial index" || fail "$bad reads failed during installs"
run "$SH" list; expect_out "testing/noop" "noop installed"; expect_out "testing/sleeper" "sleeper installed"
finish
