#!/usr/bin/env bash
# Agent Skills in a registry: `skillreg add` reads each skill's front
# matter from the verified package into the index; `skillhost search`
# finds a package by a skill's name and by words of its description and
# prints its skills; the HTML catalog's package page shows each skill's
# front matter and file list; installing from the registry brings the
# skills (skills list).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"

mk() { # mk DIR NAME DESCRIPTION
  mkdir -p "$1/references"
  printf -- '---\nname: %s\ndescription: %s\nlicense: MIT\nmetadata:\n  author: acme-docs\n---\n# %s\n' \
    "$2" "$3" "$2" >"$1/SKILL.md"
  echo "forms" >"$1/references/FORMS.md"
}
mk "$TMP/pdf" pdf-forms "Fill in PDF forms and flatten them for archiving."
"$SH" pack "$TMP/pdf" --namespace testing --version 1.0.0 -o "$TMP/pdf.skill" >/dev/null &&
  "$SH" sign "$TMP/pdf.skill" -s "$DEVSEC" >/dev/null || { fail "pack the skill"; finish; }

"$SR" -q init "$REG" >/dev/null
"$SR" -q publisher add "$REG" testing "$DEVPUB" >/dev/null
"$SR" -q publisher add "$REG" example "$DEVPUB" >/dev/null
run "$SR" add "$REG" "$TMP/pdf.skill" "$HELLO"
expect_rc 0 "skillreg adds a package of Agent Skills"
python3 - "$REG/index.json" <<'PY' && ok "the index entry holds the skill's front matter and files" || fail "index entry"
import json, sys
idx = json.load(open(sys.argv[1]))
p = [p for p in idx["signed"]["packages"] if p["name"] == "testing/pdf-forms"][0] if "signed" in idx else \
    [p for p in idx["packages"] if p["name"] == "testing/pdf-forms"][0]
s = p["x-agentskills"][0]
assert s["name"] == "pdf-forms" and s["frontmatter"]["metadata"]["author"] == "acme-docs"
assert s["files"] == ["SKILL.md", "references/FORMS.md"], s["files"]
PY
ls "$REG"/packages/*/*.skills 2>/dev/null && fail "a scratch folder was left" || ok "no scratch folder left"
start_skillreg "$REG" --name demo

"$SH" registry add demo "$RS_URL" --root-key "$KEYS/root.pub" >/dev/null &&
  "$SH" registry trust demo --namespace testing >/dev/null || { fail "registry add"; finish; }
run "$SH" search pdf-forms
expect_rc 0 "search by the skill's name"
expect_out "testing/pdf-forms" "finds the package"
expect_out "Agent Skill pdf-forms: Fill in PDF forms" "and prints its skill"
run "$SH" search flatten
expect_rc 0 "search by a word of the skill's description"
expect_out "testing/pdf-forms" "finds it"
run "$SH" search --json archiving
printf %s "$out" | python3 -c 'import json,sys; h=json.load(sys.stdin); assert h[0]["agentskills"][0]["name"]=="pdf-forms"' &&
  ok "search --json carries the skills" || fail "search --json: $out"

page=$(curl -sL "${RS_URL}skills/testing/pdf-forms")
case "$page" in *"<h2>Agent Skills</h2>"*) ok "the catalog page has an Agent Skills section" ;; *) fail "catalog page: $page" ;; esac
case "$page" in *"<th>metadata</th><td>author: acme-docs"*) ok "it shows the front matter" ;; *) fail "front matter not shown" ;; esac
case "$page" in *"<code>references/FORMS.md</code>"*) ok "and the file list" ;; *) fail "files not shown" ;; esac
page=$(curl -s "${RS_URL}?q=flatten")
case "$page" in *'data-name="testing/pdf-forms"'*) ok "the catalog search finds it by description" ;; *) fail "catalog search" ;; esac

run "$SH" install testing/pdf-forms
expect_rc 0 "install from the registry"
run "$SH" skills list
expect_out "pdf-forms" "the installed skill is listed"
finish
