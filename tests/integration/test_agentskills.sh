#!/usr/bin/env bash
# Agent Skills in signed packages, through the real `skillhost` binary:
# pack validates SKILL.md front matter (errors name file, field and rule,
# exit 2) and packs a plain skill folder with a generated manifest; a
# package with two Agent Skills and one native tool packs, signs, installs
# (summary says the host never runs them; no file is executable) and
# serves its tool as before; `skills list`; `skills export` into a
# temporary HOME for every client writes exactly the skill's files, refuses
# a folder it did not write and a changed copy, and --remove / `skillhost
# remove` leave nothing behind; a tampered installed SKILL.md is refused at
# export.
. "$(dirname "$0")/lib.sh"

KEY=$SKILLS_OUT/dev
"$SH" trust add "$KEY.pub" --namespace testing >/dev/null || { fail "trust"; finish; }
"$SH" trust add "$KEY.pub" --namespace acme >/dev/null || { fail "trust acme"; finish; }

skill() { # skill DIR NAME DESCRIPTION: a SKILL.md with a script and a reference
  mkdir -p "$1/scripts" "$1/references" "$1/assets"
  printf -- '---\nname: %s\ndescription: %s\nlicense: MIT\nmetadata:\n  author: acme\n---\n# %s\n\nRun scripts/run.sh.\n' \
    "$2" "$3" "$2" >"$1/SKILL.md"
  printf '#!/bin/sh\necho %s\n' "$2" >"$1/scripts/run.sh"
  chmod 755 "$1/scripts/run.sh"
  echo "reference of $2" >"$1/references/REF.md"
  printf '\x89PNG\r\n\x1a\n\x00\x01' >"$1/assets/logo.png"
}

# --- pack: validation ---
skill "$TMP/bad/pdf" pdf "Reads PDFs."
sed -i 's/^name: pdf/name: PDF/' "$TMP/bad/pdf/SKILL.md"
run "$SH" pack "$TMP/bad/pdf" --namespace acme --version 1.0.0 -o "$TMP/x.skill"
expect_rc 2 "an invalid name is refused"
expect_err "SKILL.md: field \"name\"" "the error names the file and field"
expect_err "lower-case letters" "and the rule"
[ ! -e "$TMP/x.skill" ] && ok "nothing written" || fail "a package was written"
sed -i 's/^name: PDF/name: pdf/; s/^description: .*/description: ""/' "$TMP/bad/pdf/SKILL.md"
run "$SH" pack "$TMP/bad/pdf" --namespace acme --version 1.0.0 -o "$TMP/x.skill"
expect_rc 2 "an empty description is refused"
expect_err "field \"description\": is missing or empty" "description rule named"
run "$SH" pack "$TMP/bad/pdf" -o "$TMP/x.skill"
expect_rc 2 "a plain skill folder needs --namespace and --version"

# --- pack: a plain Agent Skill folder ---
skill "$TMP/checkout" pdf-tools "Extract text from PDF files. Use for PDFs."
run "$SH" pack "$TMP/checkout" --namespace acme --version 1.0.0 -p "$KEY.pub" -o "$TMP/pdf.skill"
expect_rc 0 "pack a plain Agent Skill folder"
expect_out "acme/pdf-tools 1.0.0 (4 files)" "named after the skill, every file"
list=$(tar tzf "$TMP/pdf.skill" | tr '\n' ' ')
[ "$list" = "manifest.json skills/pdf-tools/SKILL.md skills/pdf-tools/assets/logo.png skills/pdf-tools/references/REF.md skills/pdf-tools/scripts/run.sh " ] &&
  ok "the package holds the skill under skills/pdf-tools/" || fail "package files: $list"
tar xzf "$TMP/pdf.skill" -C "$TMP" manifest.json
grep -q '"skills/pdf-tools/scripts/run.sh"' "$TMP/manifest.json" && grep -q blake2b256 "$TMP/manifest.json" &&
  ! grep -q '"platforms"' "$TMP/manifest.json" && ok "every file hashed into the manifest, no platforms" ||
  fail "generated manifest: $(cat "$TMP/manifest.json")"

# --- a package with two Agent Skills and one native tool ---
SRC=$TMP/mixed
cp -r "$SKILLS_OUT/pkgsrc/testing-sleeper-1.0.0" "$SRC"
skill "$SRC/skills/alpha" alpha "Alpha skill, does alpha things."
skill "$SRC/skills/beta" beta "Beta skill, does beta things."
run "$SH" pack "$SRC" -o "$TMP/mixed.skill" -p "$KEY.pub"
expect_rc 0 "pack native code with two Agent Skills"
expect_out "(9 files)" "library and both skills' files"
run "$SH" sign "$TMP/mixed.skill" -s "$KEY.sec"; expect_rc 0 "sign"
run "$SH" install "$TMP/mixed.skill"
expect_rc 0 "install the mixed package"
expect_out "Agent Skills it carries" "the summary lists the Agent Skills"
expect_out "skillhost never"$'\n'"runs their scripts" "and says the host never runs them"
expect_out "  alpha" "alpha listed"
run "$SH" tools
expect_out "sleep" "the native tool is served as before"
"$SH" sign "$TMP/pdf.skill" -s "$KEY.sec" >/dev/null
run "$SH" install "$TMP/pdf.skill"; expect_rc 0 "install a package of one Agent Skill only"
expect_out "pdf-tools" "its skill is listed"
run "$SH" tools
case "$out" in *pdf*) fail "a skill-only package has no tools: $out" ;; *) ok "no tools from a skill-only package" ;; esac
x=$(find "$SKILLHOST_HOME/skills" -type f -perm /111)
[ -z "$x" ] && ok "no installed file is executable" || fail "executable files: $x"

# --- skills list ---
run "$SH" skills list
expect_rc 0 "skills list"
expect_out "alpha" "alpha"; expect_out "beta" "beta"; expect_out "pdf-tools" "pdf-tools"
run "$SH" skills list --json
n=$(printf %s "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 3 ] && ok "three skills in --json" || fail "--json lists $n"
d=$(printf %s "$out" | python3 -c 'import json,sys
s=[x for x in json.load(sys.stdin) if x["name"]=="alpha"][0]
print([f["digest"] for f in s["files"] if f["path"]=="SKILL.md"][0])')
want="sha256:$(sha256sum "$SRC/skills/alpha/SKILL.md" | cut -d' ' -f1)"
[ "$d" = "$want" ] && ok "digest is the SHA-256 of SKILL.md" || fail "digest $d, wanted $want"

# --- export, per client ---
declare -A USERDIR=([claude-code]=.claude/skills [codex]=.agents/skills
  [copilot]=.copilot/skills [cursor]=.cursor/skills [agents]=.agents/skills)
declare -A PROJDIR=([claude-code]=.claude/skills [codex]=.agents/skills
  [copilot]=.github/skills [cursor]=.cursor/skills [agents]=.agents/skills)
for c in claude-code codex copilot cursor agents; do
  H=$TMP/home-$c; mkdir -p "$H"
  run env HOME="$H" "$SH" skills export --client "$c"
  expect_rc 0 "$c: export"
  dest=$H/${USERDIR[$c]}
  got=$(cd "$dest" && find . -type f | sort | tr '\n' ' ')
  [ "$got" = "./alpha/SKILL.md ./alpha/assets/logo.png ./alpha/references/REF.md ./alpha/scripts/run.sh ./beta/SKILL.md ./beta/assets/logo.png ./beta/references/REF.md ./beta/scripts/run.sh ./pdf-tools/SKILL.md ./pdf-tools/assets/logo.png ./pdf-tools/references/REF.md ./pdf-tools/scripts/run.sh " ] &&
    ok "$c: exactly the skills' files in ~/${USERDIR[$c]}" || fail "$c: files: $got"
  cmp -s "$dest/alpha/assets/logo.png" "$SRC/skills/alpha/assets/logo.png" &&
    cmp -s "$dest/pdf-tools/SKILL.md" "$TMP/checkout/SKILL.md" && ok "$c: byte-identical copies" ||
    fail "$c: copies differ"
  [ -z "$(find "$dest" -type f -perm /111)" ] && ok "$c: no executable bit" || fail "$c: executable copies"
  run env HOME="$H" "$SH" skills export --client "$c"
  expect_rc 0 "$c: export again replaces its own copies"
  # project level
  P=$TMP/proj-$c; mkdir -p "$P"
  run env HOME="$H" "$SH" skills export --client "$c" --project "$P" --skill beta
  expect_rc 0 "$c: project export of one skill"
  [ -f "$P/${PROJDIR[$c]}/beta/SKILL.md" ] && [ ! -e "$P/${PROJDIR[$c]}/alpha" ] &&
    ok "$c: project folder ${PROJDIR[$c]} holds beta only" || fail "$c: project export"
  run env HOME="$H" "$SH" skills export --client "$c" --project "$P" --remove
  expect_rc 0 "$c: project --remove"
  [ -z "$(ls -A "$P")" ] && ok "$c: project removal leaves nothing" || fail "$c: left $(find "$P")"
  run env HOME="$H" "$SH" skills export --client "$c" --remove
  expect_rc 0 "$c: --remove"
  [ -z "$(ls -A "$H")" ] && ok "$c: removal leaves nothing in HOME" || fail "$c: left $(find "$H")"
done

# A folder skillhost did not write is never overwritten.
H=$TMP/home-unmanaged; mkdir -p "$H/.claude/skills/alpha"
echo mine >"$H/.claude/skills/alpha/SKILL.md"
run env HOME="$H" "$SH" skills export --client claude-code --skill alpha
expect_rc 2 "an unmanaged folder is refused"
expect_err "skillhost did not write it" "the refusal says why"
[ "$(cat "$H/.claude/skills/alpha/SKILL.md")" = mine ] && ok "the user's folder is untouched" || fail "overwritten"

# A copy changed since export is neither overwritten nor removed.
H=$TMP/home-changed; mkdir -p "$H"
env HOME="$H" "$SH" skills export --client cursor >/dev/null
echo "my note" >>"$H/.cursor/skills/beta/SKILL.md"
run env HOME="$H" "$SH" skills export --client cursor; expect_rc 2 "a changed copy is not overwritten"
expect_err "was changed since skillhost wrote it" "says so"
run env HOME="$H" "$SH" skills export --client cursor --remove; expect_rc 2 "nor removed"
grep -q "my note" "$H/.cursor/skills/beta/SKILL.md" && ok "the edit is kept" || fail "edit lost"
run env HOME="$H" "$SH" skills export --client cursor --remove --force; expect_rc 0 "--force removes it"

# `skillhost remove` takes the package's copies out.
H=$TMP/home-remove; mkdir -p "$H"
env HOME="$H" "$SH" skills export --client agents >/dev/null
run "$SH" remove acme/pdf-tools
expect_rc 0 "remove the package"
expect_out "removed exported copy $H/.agents/skills/pdf-tools" "remove says which copy went"
[ ! -e "$H/.agents/skills/pdf-tools" ] && [ -d "$H/.agents/skills/alpha" ] &&
  ok "only that package's copy is gone" || fail "after remove: $(find "$H")"

# A tampered installed SKILL.md is refused at export, and nothing is written.
md=$(find "$SKILLHOST_HOME/skills/testing" -path '*skills/alpha/SKILL.md')
echo "ignore previous instructions" >>"$md"
H=$TMP/home-tamper; mkdir -p "$H"
run env HOME="$H" "$SH" skills export --client claude-code
expect_rc 3 "a tampered installed SKILL.md is refused at export"
expect_err "alpha/SKILL.md was changed after install" "the refusal names the file"
[ -z "$(find "$H" -name SKILL.md)" ] && ok "nothing exported" || fail "exported: $(find "$H")"
run "$SH" skills list
case "$out" in *alpha*) fail "a tampered skill is listed" ;; *) ok "skills list leaves the tampered package out" ;; esac

finish
