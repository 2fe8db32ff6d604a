#!/usr/bin/env bash
# End to end through the host: `skillhost call` loads powerpoint.so and runs
# create_presentation, read_presentation and add_slides.
set -euo pipefail
. "$(dirname "$0")/../../../tests/skip.sh"
BIN="${SKILLHOST_BIN:-}"
SO="${PPTX_SKILL_SO:-}"
if [ ! -x "$BIN" ] || ! "$BIN" call --help >/dev/null 2>&1; then
	skip "$BIN does not implement 'skillhost call'"
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export SKILLHOST_HOME="$T/home"
args='{"title":"E2E deck","slides":[{"layout":"title","title":"End to end","subtitle":"via skillhost"},{"layout":"bullets","title":"Points","bullets":["one",{"text":"two","level":1}],"notes":"e2e notes"}]}'
"$BIN" call skillhost/powerpoint.create_presentation "$args" --skill "$SO" >"$T/create.json"
path=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["structuredContent"]["path"])' "$T/create.json")
[ -s "$path" ] || { echo "FAIL: no deck at $path"; exit 1; }
grep -q '"resource_link"' "$T/create.json" || { echo "FAIL: no resource_link in the result"; exit 1; }
"$OPC_LINT" "$path"
"$BIN" call skillhost/powerpoint.read_presentation "{\"path\":\"$path\"}" --skill "$SO" >"$T/read.json"
grep -q '"End to end"' "$T/read.json" && grep -q '"e2e notes"' "$T/read.json" || { echo "FAIL: read back"; cat "$T/read.json"; exit 1; }
"$BIN" call skillhost/powerpoint.add_slides "{\"path\":\"$path\",\"slides\":[{\"title\":\"More\"}]}" --skill "$SO" >"$T/add.json"
sc() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["structuredContent"]["slides"])' "$1"; }
[ "$(sc "$T/add.json")" = 3 ] || { echo "FAIL: add_slides"; cat "$T/add.json"; exit 1; }
# A path outside the allowed folders is refused as a tool error (exit 1).
set +e
"$BIN" call skillhost/powerpoint.read_presentation '{"path":"/etc/passwd"}' --skill "$SO" >"$T/deny.json"
rc=$?
set -e
[ $rc -eq 1 ] && python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("isError") else 1)' "$T/deny.json" || { echo "FAIL: /etc/passwd was not refused (exit $rc)"; cat "$T/deny.json"; exit 1; }
# Through the host's own schema check: the new keys pass (a chart, a
# custom theme, a split table, furniture) and an unknown key is refused
# before the skill runs.
rich='{"title":"Rich","theme":{"base":"sunset","colors":{"accent1":"#123456"}},"footer":"f","slide_numbers":true,"slides":[{"layout":"chart","title":"C","chart":{"type":"pie","categories":["a","b"],"series":[{"name":"s","values":[1,2]}]}},{"layout":"table","title":"T","table":{"columns":["k"],"rows":[["v"]],"split":true}}]}'
"$BIN" call skillhost/powerpoint.create_presentation "$rich" --skill "$SO" >"$T/rich.json" || { echo "FAIL: rich deck refused"; cat "$T/rich.json"; exit 1; }
set +e
"$BIN" call skillhost/powerpoint.create_presentation '{"title":"x","slides":[{"title":"a","color":"red"}]}' --skill "$SO" >"$T/unknown.json" 2>&1
rc=$?
set -e
[ $rc -ne 0 ] && grep -q 'color' "$T/unknown.json" || { echo "FAIL: an unknown key passed (exit $rc)"; cat "$T/unknown.json"; exit 1; }
# edit_presentation through the host's schema check: every op kind passes,
# the edits read back, and a bad op is a tool error naming it.
ops='[{"op":"set_text","slide":1,"placeholder":"title","text":"Edited E2E"},{"op":"replace_text","slide":2,"find":"one","replace":"uno"},{"op":"set_notes","slide":1,"text":"new notes"},{"op":"duplicate_slide","slide":2},{"op":"move_slide","slide":3,"to":1},{"op":"add_slides","at":1,"slides":[{"title":"First Now"}]},{"op":"delete_slide","slide":2}]'
"$BIN" call skillhost/powerpoint.edit_presentation "{\"path\":\"$path\",\"ops\":$ops}" --skill "$SO" >"$T/edit.json" || { echo "FAIL: edit refused"; cat "$T/edit.json"; exit 1; }
[ "$(sc "$T/edit.json")" = 3 ] || { echo "FAIL: edit slide count"; cat "$T/edit.json"; exit 1; }
epath=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["structuredContent"]["path"])' "$T/edit.json")
"$BIN" call skillhost/powerpoint.read_presentation "{\"path\":\"$epath\"}" --skill "$SO" >"$T/eread.json"
python3 - "$T/eread.json" <<'PY' || { echo "FAIL: edit read back"; cat "$T/eread.json"; exit 1; }
import json, sys
s = json.load(open(sys.argv[1]))["structuredContent"]["slides"]
assert [x["title"] for x in s] == ["First Now", "Edited E2E", "Points"], s
assert s[1]["notes"] == "new notes", s[1]
assert s[2]["bullets"][0]["text"] == "uno", s[2]
PY
set +e
"$BIN" call skillhost/powerpoint.edit_presentation "{\"path\":\"$path\",\"ops\":[{\"op\":\"delete_slide\",\"slide\":7}]}" --skill "$SO" >"$T/ebad.json" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] && grep -q 'ops\[0\] (delete_slide)' "$T/ebad.json" || { echo "FAIL: a bad op was not refused by name (exit $rc)"; cat "$T/ebad.json"; exit 1; }
# The installed package's powerpoint.so needs zlib for its zip container
# and nothing of libarchive's weight (libxml2, ICU, libstdc++, ...): those
# cost every isolated worker ~3 ms to load.
pkg=$(ls "${SKILLS_OUT:?run through ctest}"/packages/skillhost-powerpoint-*.skill 2>/dev/null | head -1)
[ -n "$pkg" ] || { echo "FAIL: no powerpoint package under $SKILLS_OUT/packages"; exit 1; }
SKILLHOST_HOME="$T/inst" "$BIN" trust add "$SKILLS_OUT/dev.pub" --namespace skillhost >/dev/null
SKILLHOST_HOME="$T/inst" "$BIN" install "$pkg" >/dev/null
so=$(find "$T/inst" -name 'powerpoint.so' | head -1)
[ -n "$so" ] || { echo "FAIL: the installed package has no powerpoint.so"; exit 1; }
needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
case " $needed" in *" libz.so"*) ;; *) echo "FAIL: installed powerpoint.so does not need libz: $needed"; exit 1 ;; esac
heavy='libarchive|libxml2|libicu|libstdc\+\+|liblzma|libzstd|liblz4|libbz2|libnettle|libacl'
# What the skill itself brings in: ldd's list, less what a sanitizer
# runtime it was built with loads anyway (UBSan's pulls in libstdc++).
ldd_names() { ldd "$1" | awk '{print $1}' | sort -u; }
ldd_names "$so" >"$T/so.libs"
: >"$T/rt.libs"
for rt in $(ldd "$so" | awk '$1 ~ /^lib(asan|ubsan|tsan|lsan)\./ {print $3}'); do
	ldd_names "$rt" >>"$T/rt.libs"
done
own=$(sort -u "$T/rt.libs" | comm -23 "$T/so.libs" - | tr '\n' ' ')
if echo "$needed" | grep -Eq "$heavy" || echo "$own" | grep -Eq "$heavy"; then
	echo "FAIL: installed powerpoint.so loads a heavy library: NEEDED $needed; loads $own"; exit 1
fi
echo "e2e: create, read, add_slides, edit_presentation, the new keys, an unknown key and a refused path all behave; installed powerpoint.so needs $needed"
