#!/usr/bin/env bash
# A registry for publishers: `skillreg list`, `yank` (the version stays
# downloadable for pinned installs, is never chosen by ranges, "latest" or
# upgrade, and is flagged by outdated, search and the catalog), `deprecate`,
# the probe `add` runs, a missing file, and "skillreg:" log lines. An index
# with the marks still reads in a client that predates them (x- keys).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"

"$SR" -q init "$REG" >/dev/null
"$SR" -q publisher add "$REG" testing "$DEVPUB" >/dev/null
run "$SR" add "$REG" "$TMP/missing.skill"; expect_rc 4 "add of a missing file"
expect_err "$TMP/missing.skill does not exist" "says the file does not exist"
case "$err" in *signature*) fail "a missing file is not a missing signature: $err" ;; *) ok "no talk of a signature" ;; esac
V09=$(pack_versioned 0.9.0); V10=$(pack_versioned 1.0.0); V11=$(pack_versioned 1.1.0)
run "$SR" add "$REG" "$V09" "$V10" "$V11"; expect_rc 0 "add three versions"

# ---- the probe ---------------------------------------------------------------
src=$TMP/liar; mkdir -p "$src/lib/$PLATFORM"
cp "$SKILLS_OUT/lib/testing-versioned-1.0.0.so" "$src/lib/$PLATFORM/versioned.so"
cat > "$src/manifest.json" <<JSON
{"name":"testing/versioned","version":"1.0.5","abi":1,"description":"says 1.0.5, is 1.0.0",
 "platforms":{"$PLATFORM":"lib/$PLATFORM/versioned.so"},
 "tools":[{"name":"version","description":"v"}]}
JSON
run "$SH" pack "$src" -o "$TMP/liar.skill"; expect_rc 5 "pack refuses the lying package"
"$SH" pack "$src" -o "$TMP/liar.skill" --no-probe >/dev/null && "$SH" sign "$TMP/liar.skill" -s "$DEVSEC" >/dev/null
run "$SR" add "$REG" "$TMP/liar.skill"; expect_rc 5 "skillreg add probes and refuses it"
expect_err "the code says 1.0.0 but the manifest says 1.0.5" "names both versions"
run "$SR" list "$REG" testing/versioned
case "$out" in *1.0.5*) fail "the refused package is listed" ;; *) ok "nothing was published" ;; esac

# ---- list, yank, deprecate ----------------------------------------------------
run "$SR" list "$REG"; expect_rc 0 "list"
[ "$(echo "$out" | grep -c 'testing/versioned')" = 3 ] && ok "list shows every version" || fail "list: $out"
run "$SR" yank "$REG" testing/versioned@1.1.0; expect_rc 2 "yank without a reason"
expect_err "--reason" "says to give one"
run "$SR" yank "$REG" testing/versioned@7.0.0 --reason x; expect_rc 4 "yank of an unlisted version"
run "$SR" yank "$REG" testing/versioned@1.1.0 --reason "corrupts the cache (CVE-0000-1)"; expect_rc 0 "yank 1.1.0"
run "$SR" yank "$REG" testing/versioned@1.1.0 --reason again; expect_rc 2 "yank twice"
[ -f "$REG/packages/testing/versioned/versioned-1.1.0.skill" ] && ok "the yanked package stays downloadable" || fail "package removed"
run "$SR" list "$REG" testing/versioned --json; expect_rc 0 "list --json"
python3 - "$out" <<'PY' && ok "list --json flags 1.1.0 with its reason" || fail "list --json: $out"
import json, sys
rows = {r["version"]: r for r in json.loads(sys.argv[1])}
assert rows["1.1.0"]["yanked"] == "corrupts the cache (CVE-0000-1)", rows
assert "yanked" not in rows["1.0.0"], rows
PY
grep -q '"x-yanked"' "$REG/index.json" && ok "the index marks it with x-yanked" || fail "no x-yanked in index.json"
run "$SR" deprecate "$REG" testing/versioned --message "use testing/versioned2"; expect_rc 0 "deprecate every version"
expect_out "3 version(s)" "deprecate says how many"
run "$SR" list "$REG"; expect_out "deprecated: use testing/versioned2" "list shows the deprecation"

# ---- log lines are skillreg's -------------------------------------------------
run "$SR" -v resign "$REG"; expect_rc 0 "resign"
expect_err "skillreg: info:" "log lines start with skillreg:"
case "$err" in *"skillhost:"*) fail "a log line says skillhost: $err" ;; *) ok "no skillhost: log lines" ;; esac

# ---- the host --------------------------------------------------------------------
run "$SH" trust add "$DEVPUB" --namespace testing; expect_rc 0 "trust the publisher"
run "$SH" registry add main "file://$REG/" --root-key "$KEYS/root.pub"; expect_rc 0 "registry add"
run "$SH" install testing/versioned; expect_rc 0 "install latest"
expect_out "1.0.0" "latest skips the yanked 1.1.0"
expect_err "deprecated" "the install warns about the deprecation"
run "$SH" remove testing/versioned; expect_rc 0 "remove"
run "$SH" install 'testing/versioned@^1.0'; expect_rc 0 "install ^1.0"
expect_out "1.0.0" "a range skips the yanked version"
run "$SH" remove testing/versioned
run "$SH" install testing/versioned@1.1.0; expect_rc 0 "a pinned install of the yanked version"
expect_out "1.1.0" "installs 1.1.0"
expect_err "yanked" "and warns that it was yanked"
expect_err "corrupts the cache" "with the reason"
run "$SH" outdated; expect_rc 0 "outdated"
expect_out "YANKED: corrupts the cache" "outdated flags the yanked install"
run "$SH" outdated --json
python3 - "$out" <<'PY' && ok "outdated --json: yanked, no newer version" || fail "outdated --json: $out"
import json, sys
rows = json.loads(sys.argv[1])
r = [r for r in rows if r["name"] == "testing/versioned"][0]
assert r["installed"] == "1.1.0" and r["latest"] is None and r["yanked"].startswith("corrupts"), r
PY
run "$SH" remove testing/versioned
run "$SH" install testing/versioned@0.9.0; expect_rc 0 "install 0.9.0"
run "$SH" upgrade testing/versioned; expect_rc 0 "upgrade"
expect_out "-> 1.0.0" "upgrade goes to 1.0.0, never to the yanked 1.1.0"
run "$SH" search versioned --json
case "$out" in *deprecated*) ok "search shows the deprecation" ;; *) fail "search: $out" ;; esac
"$SR" -q yank "$REG" testing/versioned@1.0.0 --reason "also bad" >/dev/null
"$SR" -q yank "$REG" testing/versioned@0.9.0 --reason "also bad" >/dev/null
run "$SH" install testing/versioned@^0.9; expect_rc 4 "every match yanked: not found"
expect_err "named exactly" "says how to install a yanked version"

# ---- the catalog ----------------------------------------------------------------
"$SR" -q yank "$REG" testing/versioned@1.0.0 --undo >/dev/null
start_skillreg "$REG" --name test
run curl -fsS "${RS_URL}skills/testing/versioned"; expect_rc 0 "the skill's page"
expect_out 'class="yanked"' "the catalog flags yanked versions"
expect_out "corrupts the cache" "with the reason"
expect_out 'class="deprecated"' "and the deprecation"
run curl -fsS "${RS_URL}"; expect_out "1.0.0" "the list shows the newest version not yanked"

# ---- an older client reads an index with the marks ---------------------------------
# FORMAT.md: unknown keys are refused except x- ones, so the marks are x-
# keys; check every mark key the index now holds has that prefix.
python3 - "$REG/index.json" <<'PY' && ok "every new key is an x- extension" || fail "a mark key without x-"
import json, sys
known = {"name","version","description","license","tools","permissions","publisher","url","signature","length","blake2b256","published"}
for p in json.load(open(sys.argv[1]))["packages"]:
    for k in p:
        assert k in known or k.startswith("x-"), k
PY
finish
