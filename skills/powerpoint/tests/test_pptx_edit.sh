#!/usr/bin/env bash
# edit_presentation on decks the skill did not make: pptxgenjs output and a
# LibreOffice-saved deck. Every kind of edit is applied (pptx_edit_check.py
# ops), then the result must read back as the edits say (slide order and
# count after duplicate/move/delete/add, replaced text, the cell, notes),
# add no opc_lint problem and no schema error the input did not already
# have (pml.xsd, dml-chart.xsd), and render in LibreOffice with the new
# text in pdftotext. A deck with no notes master gets one from set_notes.
# Bad operations give a message naming the op and leave no file.
set -euo pipefail
. "$(dirname "$0")/../../../tests/skip.sh"
NODE_DIR="${SOURCE_DIR:?run through ctest}/tests/node"
DATA="$SOURCE_DIR/tests/data/pptx"
XSD="$SOURCE_DIR/tests/data/specs/ooxml-xsd"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ran=0
have_lo=0
command -v soffice >/dev/null && command -v pdftotext >/dev/null && have_lo=1
for t in xmllint unzip python3; do
	command -v "$t" >/dev/null || skip "$t is not installed"
done
prof="-env:UserInstallation=file://$T/profile"

# Schema errors of a deck's PresentationML and chart parts, without file
# names and lines, so a copied slide's inherited error is not new.
schema_errors() { # deck label
	local d="$T/$2.x"
	rm -rf "$d"; mkdir "$d"
	(cd "$d" && unzip -q "$1")
	(cd "$d" && {
		xmllint --noout --schema "$XSD/pml.xsd" ppt/presentation.xml \
			$(ls ppt/slides/*.xml ppt/notesSlides/*.xml ppt/notesMasters/*.xml 2>/dev/null || true) 2>&1 || true
		ls ppt/charts/chart*.xml >/dev/null 2>&1 &&
			xmllint --noout --schema "$XSD/dml-chart.xsd" ppt/charts/chart*.xml 2>&1 || true
		xmllint --noout $(find . -name '*.xml' -o -name '*.rels') 2>&1 || true
	}) | grep -v ' validates$' | grep -v 'fails to validate$' |
		sed -E 's/^[^:]*:[0-9]+: //' | sort -u
}

edit_check() { # deck label
	local deck=$1 label=$2
	"$PPTX_TOOL" read "$deck" >"$T/$label-before.json"
	python3 "$PPTX_TEST_DIR/pptx_edit_check.py" ops "$T/$label-before.json" "$T/$label-ops.json" "$T/$label-expect.json"
	cp "$deck" "$T/$label-input-copy.pptx"
	if ! "$PPTX_TOOL" edit "$deck" "$T/$label-ops.json" "$T/$label-out.pptx" >"$T/$label-res.json"; then
		echo "FAIL $label: edit refused"; fail=1; return
	fi
	cmp -s "$deck" "$T/$label-input-copy.pptx" || { echo "FAIL $label: the input changed"; fail=1; }
	"$PPTX_TOOL" read "$T/$label-out.pptx" >"$T/$label-after.json"
	python3 "$PPTX_TEST_DIR/pptx_edit_check.py" compare "$T/$label-expect.json" "$T/$label-after.json" ||
		{ echo "FAIL $label: the edited deck reads back wrong"; fail=1; }
	# Part numbers left out: a copied slide inherits its original's notes.
	"$OPC_LINT" "$deck" | sed -E 's/^[^:]*: //; s/[0-9]+\.xml/N.xml/g' | sort -u >"$T/$label-lint-before" || true
	"$OPC_LINT" "$T/$label-out.pptx" | sed -E 's/^[^:]*: //; s/[0-9]+\.xml/N.xml/g' | sort -u >"$T/$label-lint-after" || true
	new=$(comm -13 "$T/$label-lint-before" "$T/$label-lint-after" | grep -v '^ok$' || true)
	[ -z "$new" ] || { echo "FAIL $label: edit introduced lint problems:"; echo "$new"; fail=1; }
	schema_errors "$deck" "$label-in" >"$T/$label-xsd-before"
	schema_errors "$T/$label-out.pptx" "$label-out" >"$T/$label-xsd-after"
	new=$(comm -13 "$T/$label-xsd-before" "$T/$label-xsd-after")
	[ -z "$new" ] || { echo "FAIL $label: edit introduced schema errors:"; echo "$new" | head -20; fail=1; }
	# The deleted slide's parts are gone, duplicated ones are distinct.
	python3 - "$T/$label-out.pptx" <<'PY' || { echo "FAIL $label: package parts"; fail=1; }
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
ct = z.read("[Content_Types].xml").decode()
for pn in re.findall(r'PartName="/([^"]+)"', ct):
    assert pn in names, "Override without part: " + pn
pres_rels = z.read("ppt/_rels/presentation.xml.rels").decode()
slides = re.findall(r'Target="/?(?:ppt/)?(slides/slide\d+\.xml)"', pres_rels)
assert len(slides) == len(set(slides))
for n in names:
    if re.fullmatch(r"ppt/slides/slide\d+\.xml", n):
        assert n[4:] in slides, "slide part no longer in the deck kept: " + n
# Every chart part is used by exactly one slide.
used = {}
for n in names:
    if re.fullmatch(r"ppt/slides/_rels/slide\d+\.xml\.rels", n):
        for t in re.findall(r'Target="([^"]*charts/chart\d+\.xml)"', z.read(n).decode()):
            used.setdefault(t.rsplit("/", 1)[1], []).append(n)
for c, s in used.items():
    assert len(s) == 1, (c, s)
PY
	if [ $have_lo -eq 1 ]; then
		timeout 300 soffice --headless --norestore "$prof" --convert-to pdf --outdir "$T/pdf-$label" "$T/$label-out.pptx" >"$T/lo.log" 2>&1 ||
			{ echo "FAIL $label: LibreOffice cannot render the edited deck"; cat "$T/lo.log"; fail=1; return; }
		pdftotext "$T/pdf-$label/$label-out.pdf" "$T/$label.txt"
		for want in "Edited Deck Title" "EditedCell" "Inserted Slide" "Replaced"; do
			grep -q "$want" "$T/$label.txt" || { echo "FAIL $label: '$want' not in the rendered PDF"; fail=1; }
		done
		pages=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["slide_count"])' "$T/$label-after.json")
		got=$(grep -c $'\f' "$T/$label.txt" || true)
		[ "$got" = "$pages" ] || { echo "FAIL $label: $got pages rendered, want $pages"; fail=1; }
	fi
	echo "$label: edited ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["ops"]))' "$T/$label-ops.json") ops)"
}

# A deck without a notes master: set_notes must bring one in.
no_notes_check() { # deck
	python3 - "$1" "$T/nonotes.pptx" <<'PY'
import re, sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
out = zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED)
for i in src.infolist():
    n = i.filename
    if n.startswith("ppt/notesSlides/") or n.startswith("ppt/notesMasters/") or n.endswith("/"):
        continue
    data = src.read(n)
    if n == "[Content_Types].xml":
        data = re.sub(rb'<Override PartName="/ppt/notes(Slides|Masters)/[^>]*/>', b"", data)
    elif n.endswith(".rels"):
        data = re.sub(rb'<Relationship [^>]*(notesSlide|notesMaster)"[^>]*/>', b"", data)
    elif n == "ppt/presentation.xml":
        data = re.sub(rb"<p:notesMasterIdLst>.*?</p:notesMasterIdLst>", b"", data, flags=re.S)
    out.writestr(n, data)
out.close()
PY
	echo '{"ops":[{"op":"set_notes","slide":1,"text":"Brand new notes"},{"op":"set_notes","slide":2,"text":"Second notes"}]}' >"$T/nn.json"
	"$PPTX_TOOL" edit "$T/nonotes.pptx" "$T/nn.json" "$T/nonotes-out.pptx" >/dev/null || { echo "FAIL no-notes: refused"; fail=1; return; }
	"$PPTX_TOOL" read "$T/nonotes-out.pptx" | python3 -c '
import json, sys
s = json.load(sys.stdin)["slides"]
assert s[0]["notes"] == "Brand new notes" and s[1]["notes"] == "Second notes", s
assert all("notes" not in x for x in s[2:]), s' || { echo "FAIL no-notes: notes not read back"; fail=1; }
	"$OPC_LINT" "$T/nonotes-out.pptx" >"$T/nn.lint" || { echo "FAIL no-notes: lint"; grep -v "directory entry\|not the first" "$T/nn.lint" | head; }
	grep -q "ppt/notesMasters/notesMaster1.xml" <(unzip -l "$T/nonotes-out.pptx") || { echo "FAIL no-notes: no notes master"; fail=1; }
	schema_errors "$T/nonotes-out.pptx" nn-out >"$T/nn-xsd-after"
	schema_errors "$T/nonotes.pptx" nn-in >"$T/nn-xsd-before"
	new=$(comm -13 "$T/nn-xsd-before" "$T/nn-xsd-after")
	[ -z "$new" ] || { echo "FAIL no-notes: schema errors:"; echo "$new" | head; fail=1; }
	echo "no-notes: notes master and notes slides created"
}

# A template (.potx): every slide deleted, new ones added on its layouts,
# and the result is a deck (the main part's content type changed).
template_check() { # deck
	python3 - "$1" "$T/tpl.potx" <<'PY'
import sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
out = zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED)
for i in src.infolist():
    d = src.read(i.filename)
    if i.filename == "[Content_Types].xml":
        d = d.replace(b"presentationml.presentation.main+xml", b"presentationml.template.main+xml")
    out.writestr(i, d)
out.close()
PY
	n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["slide_count"])' <("$PPTX_TOOL" read "$1"))
	python3 - "$n" >"$T/tpl.json" <<'PY'
import json, sys
ops = [{"op": "delete_slide", "slide": 1} for _ in range(int(sys.argv[1]))]
ops.append({"op": "add_slides", "slides": [
    {"layout": "title", "title": "From The Template", "subtitle": "sub"},
    {"layout": "bullets", "title": "Template Bullets", "bullets": ["tb1"],
     "layout_name": "MASTER"}]})
print(json.dumps({"ops": ops}))
PY
	"$PPTX_TOOL" edit "$T/tpl.potx" "$T/tpl.json" "$T/tpl-out.pptx" >/dev/null || { echo "FAIL template: refused"; fail=1; return; }
	"$PPTX_TOOL" read "$T/tpl-out.pptx" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [s["title"] for s in d["slides"]] == ["From The Template", "Template Bullets"], d' || { echo "FAIL template: read back"; fail=1; }
	python3 - "$T/tpl-out.pptx" <<'PY' || { echo "FAIL template: content types"; fail=1; }
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
ct = z.read("[Content_Types].xml").decode()
assert "template.main+xml" not in ct and "presentation.main+xml" in ct, ct
assert not [n for n in z.namelist() if n.startswith("ppt/notesSlides/")], "old notes kept"
# layout_name: the second slide is on the layout named MASTER.
import re
pres = z.read("ppt/presentation.xml").decode()
prels = z.read("ppt/_rels/presentation.xml.rels").decode()
rid = re.findall(r'<p:sldId [^>]*r:id="([^"]+)"', pres)[1]
slide = re.search(r'Id="%s"[^>]*Target="/?([^"]+)"' % rid, prels).group(1)
slide = slide if slide.startswith("ppt/") else "ppt/" + slide
srels = z.read(slide.replace("slides/", "slides/_rels/") + ".rels").decode()
layout = re.search(r'slideLayout" Target="/?([^"]+)"', srels).group(1)
layout = layout if layout.startswith("ppt/") else "ppt/" + layout.replace("../", "")
assert 'name="MASTER"' in z.read(layout).decode(), layout
PY
	echo '{"ops":[{"op":"add_slides","slides":[{"title":"x","layout_name":"No Such Layout"}]}]}' >"$T/tplbad.json"
	if "$PPTX_TOOL" edit "$T/tpl.potx" "$T/tplbad.json" "$T/tplbad.pptx" 2>"$T/tplbad.err" >/dev/null ||
		! grep -qF 'ops[0] (add_slides): slide 1: the deck has no layout named "No Such Layout"; its layouts are "DEFAULT", "MASTER"' "$T/tplbad.err" ||
		[ -e "$T/tplbad.pptx" ]; then
		echo "FAIL template: an unknown layout_name"; cat "$T/tplbad.err"; fail=1
	fi
	"$OPC_LINT" "$1" | sed -E 's/^[^:]*: //; s/[0-9]+\.xml/N.xml/g' | sort -u >"$T/tpl-lint-before" || true
	"$OPC_LINT" "$T/tpl-out.pptx" | sed -E 's/^[^:]*: //; s/[0-9]+\.xml/N.xml/g' | sort -u >"$T/tpl-lint-after" || true
	new=$(comm -13 "$T/tpl-lint-before" "$T/tpl-lint-after" | grep -v '^ok$' || true)
	[ -z "$new" ] || { echo "FAIL template: lint:"; echo "$new"; fail=1; }
	echo "template: a .potx made into a deck on its own layouts"
}

# Bad operations: each refused naming its op, nothing written.
bad_ops() { # deck
	local i=0
	while IFS='|' read -r ops want; do
		i=$((i + 1))
		echo "$ops" >"$T/bad.json"
		if "$PPTX_TOOL" edit "$1" "$T/bad.json" "$T/bad-out.pptx" >/dev/null 2>"$T/bad.err"; then
			echo "FAIL bad op $i accepted: $ops"; fail=1
		elif ! grep -qF -- "$want" "$T/bad.err"; then
			echo "FAIL bad op $i: message lacks '$want':"; cat "$T/bad.err"; fail=1
		fi
		if [ -e "$T/bad-out.pptx" ] || [ -e "$T/bad-out.pptx.tmp" ]; then
			echo "FAIL bad op $i left a file"; fail=1; rm -f "$T/bad-out.pptx" "$T/bad-out.pptx.tmp"
		fi
	done <<'EOF'
{"ops":[{"op":"delete_slide","slide":99}]}|ops[0] (delete_slide): "slide" is 99, outside 1..
{"ops":[{"op":"set_notes","slide":1,"text":"x"},{"op":"set_cell","slide":1,"table":5,"row":0,"col":0,"text":"x"}]}|ops[1] (set_cell): slide 1 has 0 tables
{"ops":[{"op":"move_slide","slide":1}]}|ops[0] (move_slide): "to" is missing
{"ops":[{"op":"replace_text","slide":1,"find":"no such text anywhere","replace":"y"}]}|is not on slide 1
{"ops":[{"op":"rotate_slide","slide":1}]}|unknown op "rotate_slide"
{"ops":[{"op":"delete_slide","slide":1,"colour":"red"}]}|unknown key "colour"
{"ops":[{"op":"set_text","slide":1,"placeholder":"footer","text":"x"}]}|must be title, subtitle or body
{"ops":[{"op":"add_slides","slides":[{"layout":"nope"}]}]}|ops[0] (add_slides)
{"ops":[]}|non-empty array
EOF
	echo "bad ops: $i refused"
}

if command -v node >/dev/null && [ -d "$NODE_DIR/node_modules/pptxgenjs" ]; then
	node "$DATA/make_pptxgenjs.cjs" "$NODE_DIR" "$T/pptxgenjs.pptx"
	edit_check "$T/pptxgenjs.pptx" pptxgenjs
	no_notes_check "$T/pptxgenjs.pptx"
	template_check "$T/pptxgenjs.pptx"
	bad_ops "$T/pptxgenjs.pptx"
	ran=1
else
	skip_part "pptxgenjs: not available under $NODE_DIR (npm ci there)"
fi

if [ $have_lo -eq 1 ]; then
	python3 "$PPTX_TEST_DIR/pptx_check.py" gen "$T/specs"
	"$PPTX_TOOL" create "$T/specs/full.json" "$T/ours.pptx" >/dev/null
	timeout 300 soffice --headless --norestore "$prof" --convert-to odp --outdir "$T/odp" "$T/ours.pptx" >"$T/lo.log" 2>&1
	timeout 300 soffice --headless --norestore "$prof" --convert-to pptx --outdir "$T/lo" "$T/odp/ours.odp" >>"$T/lo.log" 2>&1 || { cat "$T/lo.log"; exit 1; }
	edit_check "$T/lo/ours.pptx" libreoffice
	ran=1
else
	skip_part "libreoffice: soffice or pdftotext is not installed"
fi
[ "$skip_part_failed" -eq 0 ] || fail=1
if [ $ran -eq 0 ] && [ $fail -eq 0 ]; then
	skip "neither pptxgenjs (npm) nor soffice (libreoffice-impress-nogui) is available"
fi
exit $fail
