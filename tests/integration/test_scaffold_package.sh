#!/usr/bin/env bash
# A skill author's whole journey with no manual step: `skillhost new`, build,
# the package-skill target, keygen (encrypted key), sign, install on a fresh
# host, call. Then what pack and sign refuse: code that disagrees with its
# manifest (version, name, tools, ABI, CPU), output names that lie about the
# version, and a key other than the manifest's publisher.
. "$(dirname "$0")/lib.sh"
prefix=$TMP/prefix
PLATFORM=$(uname -m)-linux-gnu
run cmake --install "$BUILD_DIR" --prefix "$prefix"; expect_rc 0 "cmake --install"
SHI=$prefix/bin/skillhost
P=$TMP/weather

# ---- the scaffold ---------------------------------------------------------
run "$SHI" new acme/weather-now --dir "$P"; expect_rc 0 "new"
expect_out "package-skill" "new says how to package"
for pat in '*.sec' '*.key' 'build/'; do
  grep -qxF -- "$pat" "$P/.gitignore" && ok ".gitignore lists $pat" || fail ".gitignore lacks $pat"
done
for step in "--target package-skill" "skillhost keygen" "skillhost sign" "skillhost trust add" "skillreg add"; do
  grep -qF -- "$step" "$P/README.md" && ok "README walks: $step" || fail "README lacks: $step"
done
grep -q '"0.1.0"' "$P/weather_now.c" && fail "the code repeats the version" || ok "the code has no version literal"
grep -q 'SKILL_MANIFEST_VERSION' "$P/weather_now.c" && ok "the code takes the manifest's version" || fail "no SKILL_MANIFEST_VERSION in the code"

run cmake -S "$P" -B "$P/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror"
expect_rc 0 "configure the scaffold"
run "$SHI" pack "$P"; expect_rc 4 "pack on the project folder itself"
expect_err "--target package-skill" "points at the package-skill target"
run cmake --build "$P/build" --target package-skill; expect_rc 0 "package-skill builds and packs"
[ -f "$P/build/package/lib/$PLATFORM/weather-now.so" ] && ok "the library is staged at the manifest's path" || fail "no staged library"
cmp -s "$P/build/package/manifest.json" "$P/manifest.json" && ok "the manifest is staged" || fail "no staged manifest"
PKG=$P/build/acme-weather-now-0.1.0.skill
[ -f "$PKG" ] && ok "package named NS-NAME-VERSION.skill" || fail "no $PKG"

# ---- keys, sign, install on a fresh host -----------------------------------
printf 'correct horse\n' > "$TMP/pw"
run "$SHI" keygen -p "$TMP/acme.pub" -s "$TMP/acme.sec"; expect_rc 2 "keygen without a terminal or password source"
expect_err "--password-file" "keygen says how to give the password"
[ -e "$TMP/acme.sec" ] && fail "keygen left a key behind" || ok "nothing written"
run "$SHI" keygen -p "$TMP/acme.pub" -s "$TMP/acme.sec" --password-file "$TMP/pw"; expect_rc 0 "keygen, encrypted"
expect_out "encrypted" "keygen says the key is encrypted"
head -1 "$TMP/acme.sec" | grep -q "encrypted secret key" && ok "the key file says it is encrypted" || fail "key comment"
run "$SHI" sign "$PKG" -s "$TMP/acme.sec"; expect_rc 2 "sign without a password source"
expect_err "password" "sign says it needs the password"
run "$SHI" sign "$PKG" -s "$TMP/acme.sec" --password-fd 3 3<"$TMP/pw"; expect_rc 0 "sign with --password-fd"
export SKILLHOST_HOME=$TMP/fresh
run "$SHI" trust add "$TMP/acme.pub" --namespace acme; expect_rc 0 "trust the publisher"
run "$SHI" install "$PKG"; expect_rc 0 "install on a fresh host"
run "$SHI" call acme/weather-now.hello '{"who":"Ada"}'; expect_rc 0 "call the installed tool"
expect_out "Hello, Ada!" "the tool answers"

# ---- one version, in the manifest ------------------------------------------
# (and the build signs, when told the keys and where the password is)
sed -i 's/"version": "0.1.0"/"version": "0.2.0"/' "$P/manifest.json"
run cmake "$P/build" -DSKILL_PUBLIC_KEY="$TMP/acme.pub" -DSKILL_SIGNING_KEY="$TMP/acme.sec" -DSKILL_PASSWORD_FILE="$TMP/pw"
expect_rc 0 "configure signing"
run cmake --build "$P/build" --target package-skill; expect_rc 0 "package-skill after a version bump"
[ -f "$P/build/acme-weather-now-0.2.0.skill" ] && ok "the bumped package" || fail "no 0.2.0 package"
run "$SHI" verify "$P/build/acme-weather-now-0.2.0.skill"; expect_rc 0 "the build signed it with the trusted key"
run tar -xzOf "$P/build/acme-weather-now-0.2.0.skill" manifest.json
case "$out" in *"\"publisher\""*"$(head -1 "$TMP/acme.pub" | awk '{print $NF}')"*) ok "the package names its publisher key" ;; *) fail "packaged manifest: $out $err" ;; esac
run "$SHI" tools --skill "$P/build/weather-now.so" --json
case "$out" in *0.2.0*) ok "the code says 0.2.0 without editing it" ;; *) fail "the code's version: $out" ;; esac

# ---- pack compares code and manifest ---------------------------------------
mk() { # mk DIR: a package folder with the built library (0.2.0) and manifest
  rm -rf "$1"; cp -r "$P/build/package" "$1"
}
edit() { # edit DIR PYTHON-EXPR-ON-m
  python3 - "$1/manifest.json" "$2" <<'PY'
import json, sys
p, expr = sys.argv[1:]
m = json.load(open(p)); exec(expr); json.dump(m, open(p, "w"))
PY
}
D=$TMP/d
mk "$D"; edit "$D" 'm["version"]="9.9.9"'
run "$SHI" pack "$D" -o "$TMP/x-9.9.9.skill"; expect_rc 5 "pack refuses a version mismatch"
expect_err "the code says 0.2.0 but the manifest says 9.9.9" "names both versions"
[ -e "$TMP/x-9.9.9.skill" ] && fail "a refused pack left a file" || ok "no package written"
mk "$D"; edit "$D" 'm["name"]="acme/other"'
run "$SHI" pack "$D" -o "$TMP/x.skill"; expect_rc 5 "pack refuses a name mismatch"
expect_err '"acme/weather-now" but the manifest says "acme/other"' "names both names"
mk "$D"; edit "$D" 'm["tools"].append({"name":"forecast","description":"x"})'
run "$SHI" pack "$D" -o "$TMP/x.skill"; expect_rc 5 "pack refuses a tool the code lacks"
expect_err '"forecast"' "names the tool"
rm -rf "$D"; cp -r "$SKILLS_OUT/pkgsrc/testing-everything-1.0.0" "$D"; edit "$D" 'm["tools"]=m["tools"][:-1]'
run "$SHI" pack "$D" -o "$TMP/x.skill"; expect_rc 5 "pack refuses a tool the manifest does not list"
expect_err '"bad_output", which the manifest does not list' "names the unlisted tool"
mk "$D"; rm -f "$D/lib/$PLATFORM/weather-now.so"; cp "$SKILLS_OUT/pkgsrc/testing-broken-crash-init-1.0.0/lib/$PLATFORM/"*.so "$D/lib/$PLATFORM/weather-now.so"
run "$SHI" pack "$D" -o "$TMP/x.skill"; expect_rc 5 "pack refuses a library that crashes in the probe"
expect_err "probed" "says the probe refused it"
run "$SHI" pack "$D" -o "$TMP/x.skill" --no-probe; expect_rc 0 "--no-probe packs a fixture built to fail"
mk "$D"; edit "$D" 'm["abi"]=2'
run "$SHI" pack "$D" -o "$TMP/x.skill"
[ "$rc" -ne 0 ] && ok "pack refuses another ABI (exit $rc)" || fail "abi 2 packed"
expect_err "ABI 2" "names the manifest's ABI"
other=aarch64-linux-gnu; [ "$PLATFORM" = aarch64-linux-gnu ] && other=x86_64-linux-gnu
mk "$D"; mkdir -p "$D/lib/$other"; mv "$D/lib/$PLATFORM/weather-now.so" "$D/lib/$other/"
edit "$D" "m['platforms']={'$other':'lib/$other/weather-now.so'}"
run "$SHI" pack "$D" -o "$TMP/x.skill"; expect_rc 5 "pack refuses a library under another CPU's key"
expect_err "under \"$other\"" "names the platform key"
expect_err "ELF machine" "names the ELF machine"
mk "$D"; printf 'not elf' > "$D/lib/$PLATFORM/weather-now.so"
run "$SHI" pack "$D" -o "$TMP/x.skill"; expect_rc 5 "pack refuses a library that is not ELF"
expect_err "not an ELF shared object" "says so"

# ---- the output name -------------------------------------------------------
mk "$D"
run "$SHI" pack "$D" -o "$TMP/acme-weather-now-1.2.0.skill"; expect_rc 2 "pack refuses -o with another version"
expect_err "says version 1.2.0 but the manifest says 0.2.0" "names both versions"
mkdir -p "$TMP/cwd"
run bash -c "cd '$TMP/cwd' && '$SHI' pack '$D'"; expect_rc 0 "pack without -o"
[ -f "$TMP/cwd/acme-weather-now-0.2.0.skill" ] && ok "default name NS-NAME-VERSION.skill" || fail "no default-named package"
run "$SHI" pack "$D" -o "$TMP/plain.skill"; expect_rc 0 "a name without a version is fine"

# ---- sign: only the manifest's publisher key -------------------------------
run "$SHI" pack "$D" -o "$TMP/pub.skill" -p "$TMP/acme.pub"; expect_rc 0 "pack with the publisher key"
run "$SHI" keygen -W -p "$TMP/other.pub" -s "$TMP/other.sec"; expect_rc 0 "another key"
acme_id=$(head -1 "$TMP/acme.pub" | awk '{print $NF}'); other_id=$(head -1 "$TMP/other.pub" | awk '{print $NF}')
mk "$D"; edit "$D" "m['publisher']='$other_id'"
run "$SHI" pack "$D" -o "$TMP/x.skill" -p "$TMP/acme.pub"; expect_rc 2 "pack refuses -p other than the manifest's publisher"
expect_err "$other_id" "names the manifest's key"; expect_err "$acme_id" "names the key given"
run "$SHI" sign "$TMP/pub.skill" -s "$TMP/other.sec"; expect_rc 3 "sign refuses another key than the publisher's"
expect_err "$acme_id" "names the publisher key"
expect_err "$other_id" "names the key given"
[ -e "$TMP/pub.skill.minisig" ] && fail "a signature was written" || ok "no signature written"
finish
