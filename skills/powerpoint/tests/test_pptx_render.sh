#!/usr/bin/env bash
# Rendering smoke test: LibreOffice converts decks to PDF; the PDF text must
# hold every title, subtitle, bullet and table cell, the page count must be
# the slide count, and the first page must not be blank.
set -euo pipefail
. "$(dirname "$0")/../../../tests/skip.sh"
for t in soffice pdftotext pdftoppm pdfinfo python3; do
	command -v "$t" >/dev/null || skip "$t is not installed (Debian: libreoffice-impress-nogui, poppler-utils)"
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 "$PPTX_TEST_DIR/pptx_check.py" gen "$T/specs"
decks=()
for name in full four3 overflow charts rich layouts; do
	"$PPTX_TOOL" create "$T/specs/$name.json" "$T/$name.pptx" >/dev/null
	decks+=("$T/$name.pptx")
done
# A private profile: parallel runs and the user's own LibreOffice never clash.
timeout 300 soffice --headless --norestore "-env:UserInstallation=file://$T/profile" \
	--convert-to pdf --outdir "$T/pdf" "${decks[@]}" >"$T/soffice.log" 2>&1 || {
	echo "FAIL: soffice failed"; cat "$T/soffice.log"; exit 1; }
fail=0
for name in full four3 overflow charts rich layouts; do
	pdf="$T/pdf/$name.pdf"
	[ -s "$pdf" ] || { echo "FAIL $name: no PDF"; fail=1; continue; }
	pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
	want=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["slides"]))' "$T/specs/$name.json")
	[ "$pages" = "$want" ] || { echo "FAIL $name: $pages pages for $want slides"; fail=1; }
	pdftotext -enc UTF-8 "$pdf" "$T/$name.txt"
	python3 "$PPTX_TEST_DIR/pptx_check.py" pdftext "$T/specs/$name.json" "$T/$name.txt" || { echo "FAIL $name: text"; fail=1; }
	pdftoppm -r 30 -f 1 -l 1 "$pdf" "$T/$name-p"
	python3 "$PPTX_TEST_DIR/pptx_check.py" nonblank "$T"/"$name"-p*.ppm || { echo "FAIL $name: blank first page"; fail=1; }
	echo "$name: $pages pages rendered"
done
exit $fail
