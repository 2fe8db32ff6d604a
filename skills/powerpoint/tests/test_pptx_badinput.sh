#!/usr/bin/env bash
# Bad input through the command-line front end of the core: each is refused
# with a message that says what was wrong, and no output file (not even a
# partial one) is left behind. The skill's own refusals (paths outside the
# allowed folder, cancellation) are in test_pptx_skill.c.
set -euo pipefail
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
refuse() { # name expected-message json
	local name=$1 msg=$2
	printf '%s' "$3" >"$T/$name.json"
	if "$PPTX_TOOL" create "$T/$name.json" "$T/$name.pptx" >"$T/out" 2>"$T/err"; then
		echo "FAIL $name: accepted"; fail=1; return
	fi
	grep -qF -- "$msg" "$T/err" || { echo "FAIL $name: message '$(cat "$T/err")' lacks '$msg'"; fail=1; }
	if ls "$T/$name".pptx* >/dev/null 2>&1; then echo "FAIL $name: left a file"; fail=1; fi
	echo "$name: $(cat "$T/err")"
}
PNG=$(python3 -c 'import base64,sys; sys.path.insert(0,sys.argv[1]); import pptx_check; print(base64.b64encode(pptx_check.png(4,4)).decode())' "$PPTX_TEST_DIR")
BADPNG=$(python3 -c 'import base64,sys; sys.path.insert(0,sys.argv[1]); import pptx_check; d=bytearray(pptx_check.png(4,4)); d[-20]^=0xff; print(base64.b64encode(bytes(d[:40])).decode())' "$PPTX_TEST_DIR")
refuse corrupt_image "unusable image" "{\"title\":\"x\",\"slides\":[{\"layout\":\"image\",\"title\":\"x\",\"image\":{\"data\":\"$BADPNG\",\"mime\":\"image/png\"}}]}"
refuse not_an_image "neither a PNG nor a JPEG" "{\"title\":\"x\",\"slides\":[{\"layout\":\"image\",\"title\":\"x\",\"image\":{\"data\":\"R0lGODlhAQABAAAAACw=\",\"mime\":\"image/png\"}}]}"
refuse image_jpg 'use "image/jpeg"' "{\"title\":\"x\",\"slides\":[{\"layout\":\"image\",\"title\":\"x\",\"image\":{\"data\":\"$PNG\",\"mime\":\"image/jpg\"}}]}"
refuse wrong_mime 'set "mime" to "image/png"' "{\"title\":\"x\",\"slides\":[{\"layout\":\"image\",\"title\":\"x\",\"image\":{\"data\":\"$PNG\",\"mime\":\"image/jpeg\"}}]}"
refuse unknown_layout 'unknown layout "smartart"' '{"title":"x","slides":[{"layout":"smartart","title":"x"}]}'
# Unknown keys are refused, not dropped (issue 19): at every level.
refuse unknown_slide_key 'slide 1: a slide has no key "color"' '{"title":"x","slides":[{"title":"x","color":"red"}]}'
refuse unknown_bullet_key 'a bullet object has no key "bold"' '{"title":"x","slides":[{"title":"x","bullets":[{"text":"a","bold":true}]}]}'
refuse unknown_table_key '"table" has no key "colour"' '{"title":"x","slides":[{"layout":"table","title":"x","table":{"columns":["a"],"colour":1}}]}'
refuse table_split 'table "split" must be true or false' '{"title":"x","slides":[{"layout":"table","title":"x","table":{"columns":["a"],"split":1}}]}'
C='"categories":["a","b"],"series":[{"name":"s","values":[1,2]}]'
refuse unknown_chart_key '"chart" has no key "colour"' '{"title":"x","slides":[{"layout":"chart","title":"x","chart":{"type":"bar",'"$C"',"colour":"red"}}]}'
refuse unknown_series_key 'a chart series has no key "color"' '{"title":"x","slides":[{"layout":"chart","title":"x","chart":{"type":"bar","categories":["a"],"series":[{"name":"s","values":[1],"color":"red"}]}}]}'
refuse chart_type 'chart "type" must be one of bar, column' '{"title":"x","slides":[{"layout":"chart","title":"x","chart":{"type":"radar",'"$C"'}}]}'
refuse chart_count 'has 1 values but there are 2 categories' '{"title":"x","slides":[{"layout":"chart","title":"x","chart":{"type":"line","categories":["a","b"],"series":[{"name":"s","values":[1]}]}}]}'
refuse chart_value 'value 2 must be a number or null' '{"title":"x","slides":[{"layout":"chart","title":"x","chart":{"type":"line","categories":["a","b"],"series":[{"name":"s","values":[1,"2"]}]}}]}'
refuse scatter_x 'category 1 is not a number' '{"title":"x","slides":[{"layout":"chart","title":"x","chart":{"type":"scatter",'"$C"'}}]}'
refuse chart_no_chart 'has layout "chart" but no "chart" object' '{"title":"x","slides":[{"layout":"chart","title":"x"}]}'
refuse chart_wrong_layout '"chart" needs layout "chart" or "text_chart"' '{"title":"x","slides":[{"layout":"bullets","title":"x","chart":{"type":"bar",'"$C"'}}]}'
refuse chart_legend 'chart "legend" must be bottom' '{"title":"x","slides":[{"layout":"chart","title":"x","chart":{"type":"bar",'"$C"',"legend":"middle"}}]}'
refuse theme_name 'unknown theme "neon"; use one of ocean' '{"title":"x","theme":"neon","slides":[]}'
refuse theme_color 'theme colour "accent1" must be a hex colour' '{"title":"x","theme":{"colors":{"accent1":"red"}},"slides":[]}'
refuse theme_key 'theme "colors" has no key "accent7"' '{"title":"x","theme":{"colors":{"accent7":"#000000"}},"slides":[]}'
python3 -c 'import json; print(json.dumps({"title":"x","slides":[{"title":"s"}]*5001}))' >"$T/many.json"
refuse too_many_slides "more than the limit of 5000" "$(cat "$T/many.json")"
python3 -c 'import json; print(json.dumps({"title":"x","slides":[{"layout":"image","title":"x","image":{"mime":"image/png","data":"A"*(50*1024*1024*4//3)}}]}))' >"$T/big.json"
refuse image_50mb "over the limit of 20 MiB" "$(cat "$T/big.json")"
# Not a deck, for read: a text file, a zip that is a Word document, a
# truncated deck.
echo "plain text" >"$T/notes.txt"
"$PPTX_TOOL" read "$T/notes.txt" 2>"$T/err" && { echo "FAIL read text: accepted"; fail=1; }
grep -q "not a .pptx" "$T/err" || { echo "FAIL read text: $(cat "$T/err")"; fail=1; }
echo "read text file: $(cat "$T/err")"
printf '{"title":"ok","slides":[{"title":"a"}]}' >"$T/ok.json"
"$PPTX_TOOL" create "$T/ok.json" "$T/ok.pptx" >/dev/null
head -c 3000 "$T/ok.pptx" >"$T/cut.pptx"
"$PPTX_TOOL" read "$T/cut.pptx" 2>"$T/err" && { echo "FAIL read truncated: accepted"; fail=1; }
echo "read truncated deck: $(cat "$T/err")"
exit $fail
