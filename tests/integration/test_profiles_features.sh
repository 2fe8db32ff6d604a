#!/usr/bin/env bash
# Profiles cover everything a caller can see, not only tools: two
# `serve --stdio` sessions with different profiles, over a store with two
# Agent Skills (acme/gamma, acme/delta) and the native testing/library
# (prompts, static and dynamic resources, templates, completions) and
# example/hello. Each side sees only its own in resources/list,
# resources/templates/list, prompts/list, skills/list; reading, getting or
# completing what the other side has answers exactly as for something that
# does not exist.
. "$(dirname "$0")/lib.sh"
DRIVE=(python3 "$(dirname "$0")/mcp_drive.py")
KEY=$SKILLS_OUT/dev
"$SH" trust add "$KEY.pub" --namespace acme >/dev/null || { fail "trust"; finish; }
for s in gamma delta; do
  mkdir -p "$TMP/$s/references"
  printf -- '---\nname: %s\ndescription: The %s skill.\n---\n# %s\n' "$s" "$s" "$s" >"$TMP/$s/SKILL.md"
  echo "notes of $s" >"$TMP/$s/references/NOTES.md"
  { "$SH" pack "$TMP/$s" --namespace acme --version 1.0.0 -o "$TMP/$s.skill" &&
    "$SH" sign "$TMP/$s.skill" -s "$KEY.sec" && "$SH" install "$TMP/$s.skill"; } >/dev/null 2>&1 ||
    { fail "install the $s Agent Skill"; finish; }
done
"$SH" profile set lib --tools 'testing/library.*' 'acme/gamma.*' >/dev/null || fail "profile lib"
"$SH" profile set greet --tools 'example/hello.*' 'acme/delta.*' >/dev/null || fail "profile greet"
SK=(--skill "$LIB/hello.so" --skill "$LIB/testing-library.so")
STEPS='[
 ["req","resources/list"],
 ["req","resources/templates/list"],
 ["req","prompts/list"],
 ["req","skills/list"],
 ["req","resources/read",{"uri":"library://readme"}],
 ["req","resources/read",{"uri":"library://topics/sales"}],
 ["req","resources/read",{"uri":"skill://gamma/SKILL.md"}],
 ["req","resources/read",{"uri":"skill://delta/SKILL.md"}],
 ["req","skills/get",{"uri":"skill://gamma/SKILL.md"}],
 ["req","skills/get",{"uri":"skill://delta/SKILL.md"}],
 ["req","prompts/get",{"name":"summarize_report","arguments":{"topic":"x"}}],
 ["req","prompts/get",{"name":"gamma"}],
 ["req","prompts/get",{"name":"delta"}],
 ["req","completion/complete",{"ref":{"type":"ref/prompt","name":"summarize_report"},"argument":{"name":"style","value":"s"}}],
 ["req","completion/complete",{"ref":{"type":"ref/resource","uri":"library://topics/{topic}"},"argument":{"name":"topic","value":"s"}}],
 ["req","completion/complete",{"ref":{"type":"ref/resource","uri":"library://live/{item}"},"argument":{"name":"item","value":"a"}}],
 ["req","resources/directory/read",{"uri":"skill://gamma/references"}],
 ["req","resources/read",{"uri":"library://nope"}],
 ["req","skills/get",{"uri":"skill://nope/SKILL.md"}],
 ["req","prompts/get",{"name":"nope"}],
 ["req","completion/complete",{"ref":{"type":"ref/resource","uri":"library://nope/{x}"},"argument":{"name":"x","value":""}}],
 ["req","completion/complete",{"ref":{"type":"ref/prompt","name":"nope"},"argument":{"name":"x","value":""}}]
]'
STEPS=$(tr -d '\n' <<<"$STEPS")
a=$("${DRIVE[@]}" "$STEPS" -- "$SH" serve --stdio --profile lib "${SK[@]}") || fail "lib session: $a"
b=$("${DRIVE[@]}" "$STEPS" -- "$SH" serve --stdio --profile greet "${SK[@]}") || fail "greet session: $b"
n=$("${DRIVE[@]}" "$STEPS" -- "$SH" serve --stdio "${SK[@]}") || fail "unprofiled session: $n"
line() { sed -n "${2}p" <<<"$1"; }
# jq_ok WHAT SIDE LINE FILTER
jq_ok() {
  if line "$2" "$3" | jq -e "$4" >/dev/null 2>&1; then ok "$1"; else fail "$1: $(line "$2" "$3" | head -c 600)"; fi
}
# The error of a line with its quoted names blanked: the shape a caller sees.
shape() { line "$1" "$2" | jq -c '.error | {code, message: (.message | gsub("\"[^\"]*\""; "N") | gsub("[a-z]+://[^ ;]*"; "U"))}'; }
same_as_unknown() { # WHAT SIDE LINE UNKNOWN_LINE
  local x y; x=$(shape "$2" "$3"); y=$(shape "$2" "$4")
  if [ -n "$x" ] && [ "$x" != null ] && [ "$x" = "$y" ]; then ok "$1 ($x)"; else fail "$1: $x vs unknown $y"; fi
}

uris='[.result.resources[].uri] | sort'
jq_ok "lib lists library's resources and the gamma skill" "$a" 1 "$uris | (index(\"library://readme\") != null and index(\"library://live/today\") != null and index(\"skill://gamma/SKILL.md\") != null and index(\"skill://delta/SKILL.md\") == null)"
jq_ok "greet lists only the delta skill" "$b" 1 "$uris == [\"skill://delta/SKILL.md\"]"
jq_ok "no profile lists both skills" "$n" 1 "$uris | (index(\"skill://delta/SKILL.md\") != null and index(\"skill://gamma/SKILL.md\") != null)"
tm='[.result.resourceTemplates[].uriTemplate] | sort'
jq_ok "lib lists library's templates" "$a" 2 "$tm == [\"library://live/{item}\",\"library://topics/{topic}\",\"skillhost://artifacts/{id}\"]"
jq_ok "greet lists only its own artifacts' template" "$b" 2 "$tm == [\"skillhost://artifacts/{id}\"]"
pr='[.result.prompts[].name] | sort'
jq_ok "lib lists summarize_report and gamma" "$a" 3 "$pr == [\"gamma\",\"summarize_report\"]"
jq_ok "greet lists only delta" "$b" 3 "$pr == [\"delta\"]"
sk='[.result.skills[].uri] | sort'
jq_ok "lib's skills/list is gamma" "$a" 4 "$sk == [\"skill://gamma/SKILL.md\"]"
jq_ok "greet's skills/list is delta" "$b" 4 "$sk == [\"skill://delta/SKILL.md\"]"
jq_ok "no profile: skills/list has both" "$n" 4 "($sk | length) == 2"

jq_ok "lib reads library://readme" "$a" 5 '.result.contents[0].text | test("Library")'
same_as_unknown "greet reading library://readme is 'not found'" "$b" 5 18
jq_ok "lib reads a library template" "$a" 6 '.result.contents[0].text == "Notes on sales."'
same_as_unknown "greet reading through library's template is 'not found'" "$b" 6 18
jq_ok "lib reads gamma's SKILL.md" "$a" 7 '.result.contents[0].text | test("# gamma")'
jq_ok "greet reads delta's SKILL.md" "$b" 8 '.result.contents[0].text | test("# delta")'
line "$b" 7 | jq -e '.error.code == -32002 and (.error.message | test("not a file of an installed"))' >/dev/null \
  && ok "greet reading gamma's SKILL.md is 'not found', as for no such skill" || fail "greet read gamma: $(line "$b" 7)"
line "$a" 8 | jq -e '.error.code == -32002' >/dev/null && ok "lib reading delta's SKILL.md is 'not found'" || fail "lib read delta: $(line "$a" 8)"
jq_ok "lib gets the gamma skill" "$a" 9 '.result.skill.uri == "skill://gamma/SKILL.md"'
same_as_unknown "greet's skills/get of gamma answers as for no such skill" "$b" 9 19
same_as_unknown "lib's skills/get of delta answers as for no such skill" "$a" 10 19
jq_ok "lib gets summarize_report" "$a" 11 '.result.messages | length == 2'
same_as_unknown "greet's prompts/get of summarize_report is 'unknown prompt'" "$b" 11 20
jq_ok "lib gets the gamma prompt" "$a" 12 '.result.messages[0].content.text | test("gamma")'
same_as_unknown "greet's prompts/get of gamma is 'unknown prompt'" "$b" 12 20
same_as_unknown "lib's prompts/get of delta is 'unknown prompt'" "$a" 13 20
jq_ok "lib completes the prompt's argument" "$a" 14 '.result.completion.values == ["short"]'
same_as_unknown "greet cannot complete it: unknown prompt" "$b" 14 22
jq_ok "lib completes a declared template variable" "$a" 15 '.result.completion.values == ["sales","security","support"]'
same_as_unknown "greet cannot: no such template" "$b" 15 21
jq_ok "lib completes through the skill's callback" "$a" 16 '.result.completion.values == ["alpha"]'
same_as_unknown "greet cannot, and the callback is not run" "$b" 16 21
jq_ok "lib lists gamma's folder" "$a" 17 '[.result.resources[].name] == ["NOTES.md"]'
line "$b" 17 | jq -e '.error.message | test("not a folder of an installed Agent Skill")' >/dev/null \
  && ok "greet cannot list gamma's folder" || fail "greet dir: $(line "$b" 17)"
finish
