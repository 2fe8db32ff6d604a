#!/usr/bin/env bash
# Decks written by other programs: pptxgenjs (node) and LibreOffice (our deck
# converted to .odp and back to .pptx, so LibreOffice writes every part).
# read_presentation must give back their titles, bullets with levels, tables
# and notes; add_slides on them must keep every slide, add its own, and
# bring in no structural problem that opc_lint did not already see.
set -euo pipefail
. "$(dirname "$0")/../../../tests/skip.sh"
NODE_DIR="${SOURCE_DIR:?run through ctest}/tests/node"
DATA="$SOURCE_DIR/tests/data/pptx"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ran=0

append_check() { # deck label
	local deck=$1 label=$2 before after
	cat >"$T/add.json" <<'JSON'
{"slides":[{"layout":"bullets","title":"Appended Slide","bullets":["appended point",{"text":"appended sub","level":1}],"notes":"appended notes"},
{"layout":"table","title":"Appended Table","table":{"columns":["k","v"],"rows":[["x",1]]}},
{"layout":"chart","title":"Appended Chart","chart":{"type":"line","categories":["p","q"],"series":[{"name":"Appended Series","values":[1,2]}]}}]}
JSON
	"$PPTX_TOOL" append "$deck" "$T/add.json" "$T/$label-added.pptx" >/dev/null
	"$PPTX_TOOL" read "$deck" >"$T/$label-before.json"
	"$PPTX_TOOL" read "$T/$label-added.pptx" >"$T/$label-after.json"
	before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["slide_count"])' "$T/$label-before.json")
	after=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["slide_count"])' "$T/$label-after.json")
	if [ "$after" != $((before + 3)) ]; then
		echo "FAIL $label: append gave $after slides, want $((before + 3))"; fail=1
	fi
	printf 'Appended Slide\nappended point\nappended sub\nappended notes\nAppended Table\nAppended Chart\n' >"$T/add.expect"
	python3 - "$T/$label-after.json" <<'PY' || { echo "FAIL $label: appended chart"; fail=1; }
import json, sys
c = json.load(open(sys.argv[1]))["slides"][-1]["charts"][0]
assert c["type"] == "line" and c["series"] == [{"name": "Appended Series", "values": [1, 2]}], c
PY
	python3 "$PPTX_TEST_DIR/pptx_check.py" expect "$T/$label-after.json" "$T/add.expect" || { echo "FAIL $label: appended text"; fail=1; }
	# The original slides read back the same.
	python3 - "$T/$label-before.json" "$T/$label-after.json" <<'PY' || { echo "FAIL $label: original slides changed"; fail=1; }
import json, sys
a = json.load(open(sys.argv[1]))["slides"]
b = json.load(open(sys.argv[2]))["slides"][:len(a)]
sys.exit(0 if a == b else 1)
PY
	"$OPC_LINT" "$deck" | sed 's/^[^:]*: //' | sort -u >"$T/$label-lint-before" || true
	"$OPC_LINT" "$T/$label-added.pptx" | sed 's/^[^:]*: //' | sort -u >"$T/$label-lint-after" || true
	new=$(comm -13 "$T/$label-lint-before" "$T/$label-lint-after" | grep -v '^ok$' || true)
	if [ -n "$new" ]; then
		echo "FAIL $label: add_slides introduced problems:"; echo "$new"; fail=1
	fi
	echo "$label: read ok, $before + 3 slides appended"
}

if command -v node >/dev/null && [ -d "$NODE_DIR/node_modules/pptxgenjs" ]; then
	node "$DATA/make_pptxgenjs.cjs" "$NODE_DIR" "$T/pptxgenjs.pptx"
	"$PPTX_TOOL" read "$T/pptxgenjs.pptx" >"$T/pg.json"
	python3 "$PPTX_TEST_DIR/pptx_check.py" expect "$T/pg.json" "$DATA/pptxgenjs_expect.txt" || { echo "FAIL pptxgenjs: text"; fail=1; }
	python3 - "$T/pg.json" <<'PY' || { echo "FAIL pptxgenjs: levels or table"; fail=1; }
import json, sys
s = json.load(open(sys.argv[1]))["slides"]
assert [b["level"] for b in s[0]["bullets"]] == [0, 1, 2], s[0]["bullets"]
assert s[1]["tables"][0]["rows"][1] == ["Bergen", "286000"], s[1]["tables"]
# The chart's data comes back from pptxgenjs's chart part.
assert s[2]["layout"] == "chart", s[2]
c = s[2]["charts"][0]
assert c["type"] == "column" and c["title"] == "Sales by area", c
assert c["categories"] == ["North", "South", "West"], c
assert [(x["name"], x["values"]) for x in c["series"]] == [
    ("Sales 2024", [11, 22.5, 33]), ("Sales 2025", [12, 20, 40])], c
# No placeholders: the title is the top text box, the slide-number box is
# not a bullet.
assert s[3]["title"] == "Plain Box Title", s[3]
assert [(b["text"], b["level"]) for b in s[3]["bullets"]] == [
    ("Box point one", 0), ("Box point two", 1)], s[3]["bullets"]
PY
	append_check "$T/pptxgenjs.pptx" pptxgenjs
	ran=1
else
	skip_part "pptxgenjs: not available under $NODE_DIR (npm ci there)"
fi

if command -v soffice >/dev/null; then
	python3 "$PPTX_TEST_DIR/pptx_check.py" gen "$T/specs"
	"$PPTX_TOOL" create "$T/specs/full.json" "$T/ours.pptx" >/dev/null
	prof="-env:UserInstallation=file://$T/profile"
	timeout 300 soffice --headless --norestore "$prof" --convert-to odp --outdir "$T/odp" "$T/ours.pptx" >"$T/lo.log" 2>&1
	timeout 300 soffice --headless --norestore "$prof" --convert-to pptx --outdir "$T/lo" "$T/odp/ours.odp" >>"$T/lo.log" 2>&1 || { cat "$T/lo.log"; exit 1; }
	"$PPTX_TOOL" read "$T/lo/ours.pptx" >"$T/lo.json"
	# What LibreOffice keeps: titles, bullets, cells, notes (it rewrites
	# tabs and control characters, so those slides' oddities are left out).
	python3 - "$T/specs/full.json" >"$T/lo.expect" <<'PY'
import json, sys
sys.path.insert(0, __import__("os").environ["PPTX_TEST_DIR"])
from pptx_check import norm_list, cell
spec = json.load(open(sys.argv[1]))
out = []
for s in spec["slides"]:
    out.append(s["title"])
    out += [s["subtitle"]] if "subtitle" in s else []
    out += [t for t, _ in norm_list(s.get("bullets"))]
    for c in s.get("columns", []):
        out += [t for t, _ in norm_list(c)]
    if "table" in s:
        out += [cell(c) for c in s["table"]["columns"]]
        out += [cell(c) for r in s["table"]["rows"] for c in r]
    out += s.get("notes", "").split("\n")
print("\n".join(x for x in out if x and "\t" not in x and not any(ord(c) < 32 or c == "\x7f" for c in x)))
PY
	python3 "$PPTX_TEST_DIR/pptx_check.py" expect "$T/lo.json" "$T/lo.expect" || { echo "FAIL libreoffice: text"; fail=1; }
	python3 - "$T/lo.json" <<'PY' || { echo "FAIL libreoffice: levels"; fail=1; }
import json, sys
s = json.load(open(sys.argv[1]))["slides"]
assert len(s) == 9, len(s)
lv = [b["level"] for b in s[1]["bullets"]]
assert lv == [0, 1, 2, 3, 4, 0], lv
PY
	append_check "$T/lo/ours.pptx" libreoffice
	ran=1
else
	skip_part "libreoffice: soffice is not installed (libreoffice-impress-nogui)"
fi
[ "$skip_part_failed" -eq 0 ] || fail=1
if [ $ran -eq 0 ] && [ $fail -eq 0 ]; then
	skip "neither pptxgenjs (npm) nor soffice (libreoffice-impress-nogui) is available"
fi
exit $fail
