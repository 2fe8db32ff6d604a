#!/usr/bin/env bash
# Schema check: decks covering every layout, notes, a table, PNG and JPEG
# images, Unicode (CJK, right-to-left, emoji), XML metacharacters and control
# characters, 4:3, 1,000 slides, overflowing text and an empty deck. Every
# XML part must validate against the ECMA-376 XSD for its kind, every deck
# must pass opc_lint, the zip must be plain (deflate for XML, stored media,
# no Zip64, no directories), and read_presentation(create(x)) must give x's text back.
set -euo pipefail
. "$(dirname "$0")/../../../tests/skip.sh"
# The ECMA-376 schemas are vendored (tests/data/specs/PROVENANCE.md).
XSD="${SOURCE_DIR:?run through ctest}/tests/data/specs/ooxml-xsd"
[ -f "$XSD/pml.xsd" ] || { echo "FAIL: $XSD/pml.xsd is missing from the checkout"; exit 1; }
for t in xmllint unzip python3; do
	command -v "$t" >/dev/null || skip "$t is not installed (Debian: libxml2-utils, unzip, python3)"
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 "$PPTX_TEST_DIR/pptx_check.py" gen "$T/specs"
fail=0
for spec in "$T"/specs/*.json; do
	name=$(basename "$spec" .json)
	deck="$T/$name.pptx"
	"$PPTX_TOOL" create "$spec" "$deck" >"$T/$name.result"
	if ! "$OPC_LINT" "$deck" >"$T/$name.lint"; then
		echo "FAIL $name: opc_lint"; cat "$T/$name.lint"; fail=1
	fi
	# Zip layout: XML of 4 KiB or more deflated; media (already
	# compressed) and small parts stored (ZIP_STORE_BELOW in zipio.c),
	# except embedded workbooks, deflated at any size (their own parts
	# are stored); no entry needing Zip64 (version 4.5) or carrying a
	# Zip64 extra field.
	if ! python3 - "$deck" <<'PY'; then
import struct, sys, zipfile
bad = []
for i in zipfile.ZipFile(sys.argv[1]).infolist():
    stored = i.filename.startswith("ppt/media/") or (
        i.file_size < 4096 and not i.filename.startswith("ppt/embeddings/"))
    want = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    if i.compress_type != want:
        bad.append("%s: compression method %d" % (i.filename, i.compress_type))
    if i.extract_version > 20:
        bad.append("%s: needs version %d" % (i.filename, i.extract_version))
    x = i.extra
    while len(x) >= 4:
        hid, ln = struct.unpack("<HH", x[:4])
        if hid == 1:
            bad.append("%s: Zip64 extra field" % i.filename)
        x = x[4 + ln:]
    if i.filename.endswith("/"):
        bad.append("%s: directory entry" % i.filename)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
		echo "FAIL $name: zip layout"; fail=1
	fi
	d="$T/$name.d"
	mkdir "$d"
	(cd "$d" && unzip -q "$deck")
	(cd "$d" && find . -type f | sed 's|^\./||' | sort) >"$T/$name.all"
	: >"$T/$name.checked"
	validate() { # schema file...
		local xsd=$1; shift
		[ $# -gt 0 ] || return 0
		if ! (cd "$d" && xmllint --noout --schema "$XSD/$xsd" "$@") >"$T/xl.log" 2>&1; then
			echo "FAIL $name: $xsd"; grep -v " validates$" "$T/xl.log" | head -20; fail=1
		fi
		printf '%s\n' "$@" >>"$T/$name.checked"
	}
	cd "$d"
	validate pml.xsd ppt/presentation.xml ppt/presProps.xml ppt/viewProps.xml \
		ppt/slideMasters/*.xml ppt/slideLayouts/*.xml ppt/notesMasters/*.xml \
		$(ls ppt/slides/*.xml ppt/notesSlides/*.xml 2>/dev/null || true)
	validate dml-main.xsd ppt/theme/*.xml ppt/tableStyles.xml
	validate shared-documentPropertiesExtended.xsd docProps/app.xml
	validate dml-chart.xsd $(ls ppt/charts/*.xml 2>/dev/null || true)
	# Each chart's embedded workbook ("Edit Data"): a zip of its own,
	# whose workbook and sheet must validate against SpreadsheetML and
	# whose other parts must be well-formed.
	for x in $(ls ppt/embeddings/*.xlsx 2>/dev/null || true); do
		xd="$T/xlsx.$name.$(basename "$x" .xlsx)"
		rm -rf "$xd"; mkdir -p "$xd"
		(cd "$xd" && unzip -q "$d/$x")
		if ! (cd "$xd" && xmllint --noout --schema "$XSD/sml.xsd" xl/workbook.xml xl/worksheets/*.xml && \
			xmllint --noout '[Content_Types].xml' _rels/.rels xl/_rels/workbook.xml.rels) >"$T/xl.log" 2>&1; then
			echo "FAIL $name: $x"; grep -v " validates$" "$T/xl.log" | head -20; fail=1
		fi
		echo "$x" >>"$T/$name.checked"
	done
	# No XSD here for OPC parts (content types, relationships, core
	# properties): they must be well-formed, and opc_lint checks them.
	wf=$(grep -E '(\.rels|\.xml)$' "$T/$name.all" | grep -Fxv -f "$T/$name.checked" || true)
	if [ -n "$wf" ] && ! xmllint --noout $wf; then
		echo "FAIL $name: a part is not well-formed XML"; fail=1
	fi
	printf '%s\n' $wf >>"$T/$name.checked"
	cd - >/dev/null
	left=$(grep -Fxv -f "$T/$name.checked" "$T/$name.all" | grep -Ev '^ppt/media/' || true)
	if [ -n "$left" ]; then
		echo "FAIL $name: parts not checked: $left"; fail=1
	fi
	"$PPTX_TOOL" read "$deck" >"$T/$name.read"
	if ! python3 "$PPTX_TEST_DIR/pptx_check.py" roundtrip "$spec" "$T/$name.read"; then
		echo "FAIL $name: round trip"; fail=1
	fi
	echo "$name: $(grep -c . "$T/$name.checked") parts checked, $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["slides"], "slides,", r["bytes"], "bytes, warnings:", len(r["warnings"]))' "$T/$name.result")"
done
# The chart deck: one chart part and one workbook per chart slide, each
# chart related to its workbook, content types for both.
nch=$(unzip -Z1 "$T/charts.pptx" | grep -c '^ppt/charts/chart[0-9]*\.xml$' || true)
nwb=$(unzip -Z1 "$T/charts.pptx" | grep -c '^ppt/embeddings/Microsoft_Excel_Worksheet[0-9]*\.xlsx$' || true)
[ "$nch" = 8 ] && [ "$nwb" = 8 ] || { echo "FAIL charts: $nch chart parts and $nwb workbooks, want 8 and 8"; fail=1; }
ct=$(unzip -p "$T/charts.pptx" '\[Content_Types\].xml')
grep -q 'Extension="xlsx" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"' <<<"$ct" ||
	{ echo "FAIL charts: no xlsx content type"; fail=1; }
rels=$(unzip -p "$T/charts.pptx" ppt/charts/_rels/chart1.xml.rels)
grep -q 'relationships/package" Target="../embeddings/Microsoft_Excel_Worksheet1.xlsx"' <<<"$rels" ||
	{ echo "FAIL charts: chart1 is not related to its workbook"; fail=1; }
# Rich text: run properties and an external hyperlink; direction by the
# first strong character only; figures right-aligned; footer row.
s2=$(unzip -p "$T/rich.pptx" ppt/slides/slide2.xml)
r2=$(unzip -p "$T/rich.pptx" ppt/slides/_rels/slide2.xml.rels)
s3=$(unzip -p "$T/rich.pptx" ppt/slides/slide3.xml)
for want in ' b="1"' ' i="1"' ' u="sng"' '<a:hlinkClick r:id="rIdL1"/>' 'type="slidenum"' \
	'<a:t>ACME confidential</a:t>' '<a:t>7 Dec 2026</a:t>'; do
	grep -qF "$want" <<<"$s2" || { echo "FAIL rich: slide 2 lacks $want"; fail=1; }
done
grep -qF 'Target="https://example.com/a?b=1&amp;c=2" TargetMode="External"' <<<"$r2" ||
	{ echo "FAIL rich: no external hyperlink relationship"; fail=1; }
# One paragraph is Arabic-first; the title with one Arabic word is not.
[ "$(grep -o 'rtl="1"' <<<"$s2" | wc -l)" = 1 ] || { echo "FAIL rich: want exactly one RTL paragraph"; fail=1; }
grep -qF '<a:pPr algn="r"/><a:r><a:rPr lang="en-US" sz="' <<<"$s3" || { echo "FAIL rich: figures not right-aligned"; fail=1; }
grep -qF '<a:t>6.0</a:t>' <<<"$s3" || { echo "FAIL rich: 6.0 lost its format"; fail=1; }
if grep -q 'type="sldNum"' <(unzip -p "$T/rich.pptx" ppt/slides/slide1.xml); then
	echo "FAIL rich: the title slide has footer furniture"; fail=1
fi
# Tables and overflow: a 40-row table with "split" continues over slides
# with its header on each and every row once; a short table in a narrow
# column gives no warning; 30 bullets shrunk below 12 pt say so.
cat >"$T/tables.json" <<'JSON'
{"title":"Tables","slides":[
{"layout":"table","title":"Forty rows","table":{"split":true,"columns":["Name","Word","Count"],"rows":[
ROWS]},"notes":"first part"},
{"layout":"table","title":"Fits","table":{"columns":["A","Narrow"],"rows":[["Internationalisation","x"],["b","6.0"]]}},
{"title":"Thirty bullets","bullets":[BULLETS]}]}
JSON
rows=$(python3 -c 'print(",".join("[\"Row %d\",\"Internationalisation\",%d]" % (i, 1000 + i) for i in range(40)))')
bullets=$(python3 -c 'print(",".join("\"Bullet point number %d with some words\"" % i for i in range(30)))')
sed -i "s/ROWS/$rows/; s/BULLETS/$bullets/" "$T/tables.json"
"$PPTX_TOOL" create "$T/tables.json" "$T/tables.pptx" >"$T/tables.result"
"$OPC_LINT" "$T/tables.pptx" >/dev/null || { echo "FAIL tables: opc_lint"; fail=1; }
"$PPTX_TOOL" read "$T/tables.pptx" >"$T/tables.read"
python3 - "$T/tables.result" "$T/tables.read" <<'PY' || { echo "FAIL tables"; fail=1; }
import json, sys
res, rd = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
parts = [s for s in rd["slides"] if s["title"].startswith("Forty rows (")]
assert len(parts) > 1, [s["title"] for s in rd["slides"]]
assert all(s["title"].endswith("/%d)" % len(parts)) for s in parts), [s["title"] for s in parts]
assert all(s["tables"][0]["columns"] == ["Name", "Word", "Count"] for s in parts)
rows = [r for s in parts for r in s["tables"][0]["rows"]]
assert rows == [["Row %d" % i, "Internationalisation", "%d" % (1000 + i)] for i in range(40)], rows
assert parts[0].get("notes") == "first part" and all("notes" not in s for s in parts[1:])
w = res["warnings"]
assert not any("table" in x for x in w), w
assert any("Thirty" not in x and "shrunk to" in x and "below 12 pt" in x for x in w), w
print("tables: %d slides for 40 rows, warnings: %s" % (len(parts), w))
PY
# Themes: the palette and fonts are the theme part's own, so the master's
# accent bar, titles, tables and charts follow them.
th=$(unzip -p "$T/themed.pptx" ppt/theme/theme1.xml)
for want in '<a:accent1><a:srgbClr val="FF0088"/>' '<a:dk2><a:srgbClr val="003366"/>' \
	'<a:accent2><a:srgbClr val="8BC34A"/>' '<a:majorFont><a:latin typeface="DejaVu Serif"/>' \
	'<a:minorFont><a:latin typeface="Verdana"/>'; do
	grep -qF "$want" <<<"$th" || { echo "FAIL themed: theme1.xml lacks $want"; fail=1; }
done
for name in ocean classic sunset berry slate mono; do
	th=$(unzip -p "$T/theme_$name.pptx" ppt/theme/theme1.xml)
	grep -qF "<a:clrScheme name=\"$name\">" <<<"$th" || { echo "FAIL theme_$name: not applied"; fail=1; }
done
m=$(unzip -p "$T/full.pptx" ppt/slideMasters/slideMaster1.xml)
grep -qF 'name="Accent Bar"' <<<"$m" || { echo "FAIL full: the master has no accent bar"; fail=1; }
# The overflowing deck must say so instead of clipping silently.
if ! grep -q fontScale <(unzip -p "$T/overflow.pptx" ppt/slides/slide1.xml); then
	echo "FAIL overflow: the long slide was not shrunk (no normAutofit fontScale)"; fail=1
fi
[ $fail -eq 0 ] && echo "schema: all decks valid" || echo "schema: FAILED"
exit $fail
