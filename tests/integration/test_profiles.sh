#!/usr/bin/env bash
# Profiles and call limits with the real binary: `skillhost profile`
# manages named tool subsets; two `serve --stdio` sessions with different
# profiles list different tools (pages stay right), a call outside the
# profile is refused exactly as an unknown tool, `tools --profile` shows
# the same set; a per-caller rate limit refuses with retryAfter, recovers,
# and is counted in /metrics.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
SKILLS=(--skill "$LIB/hello.so" --skill "$LIB/testing-noop.so" --skill "$LIB/testing-sleeper.so")
DRIVE=(python3 "$(dirname "$0")/mcp_drive.py")
# names: the sorted MCP names (portable: the bare tool name, unique here)
# of the tools in the tools/list response on stdin.
names() {
  jq -r '.result.tools[]? | .name' | sort | tr '\n' ' '
}

# --- the CLI ---
run "$SH" profile list; expect_rc 0 "no profiles yet"
expect_err "no profiles" "says how to make one"
run "$SH" profile set greeters --tools 'example/hello.*'; expect_rc 0 "set greeters"
run "$SH" profile set ops --tools 'testing/*'; expect_rc 0 "set ops"
run "$SH" profile set mixed --tools 'example/*' 'testing/sleeper.*'; expect_rc 0 "set mixed (two patterns)"
run "$SH" profile set Bad --tools 'x'; expect_rc 2 "an upper-case name is refused"
run "$SH" profile set empty; expect_rc 2 "a profile without --tools is refused"
run "$SH" profile set sp --tools 'a b'; expect_rc 2 "a pattern with a space is refused"
run "$SH" profile list; expect_out "mixed example/* testing/sleeper.*" "list shows the patterns"
run "$SH" --json profile show ops; expect_out '"testing/*"' "show --json"
run "$SH" profile show nope; expect_rc 4 "show of a missing profile"
run "$SH" profile map --scope crm nope; expect_rc 4 "map to a missing profile is refused"
run "$SH" profile map --scope crm greeters; expect_rc 0 "map a scope"
run "$SH" profile remove greeters; expect_rc 2 "a mapped profile is not removed"
expect_err "unmap" "says to unmap first"
run "$SH" profile unmap --scope crm; expect_rc 0 "unmap"
run "$SH" profile set tmp --tools 'x/*'; run "$SH" profile remove tmp; expect_rc 0 "remove"
run "$SH" profile show tmp; expect_rc 4 "gone after remove"
[ "$(stat -c %a "$SKILLHOST_HOME/profiles.json")" = 600 ] && ok "profiles.json is 0600" || fail "profiles.json mode"
ls "$SKILLHOST_HOME"/profiles.json.* >/dev/null 2>&1 && fail "a temporary file stayed" || ok "no temporary file left"

run "$SH" tools --profile greeters "${SKILLS[@]}"; expect_rc 0 "tools --profile"
case "$out" in *example/hello.greet*testing/*) fail "tools --profile shows other tools: $out" ;;
  *example/hello.greet*) ok "tools --profile greeters shows only greet" ;; *) fail "tools --profile: $out" ;; esac
run "$SH" tools --profile nope "${SKILLS[@]}"; expect_rc 4 "tools --profile of a missing profile"
run "$SH" tools --profile ops --budget "${SKILLS[@]}"; expect_rc 2 "--profile with --budget is refused"
local_ops=$("$SH" tools --profile ops --format mcp "${SKILLS[@]}" | jq -r '.tools[].name' | sort | tr '\n' ' ')

# --- two sessions, two profiles ---
STEPS='[["list",null],["call","greet",{"name":"Ada"}],["call","noop"],["call","no_such_tool"]]'
a=$("${DRIVE[@]}" "$STEPS" -- "$SH" serve --stdio --profile greeters "${SKILLS[@]}")
b=$("${DRIVE[@]}" "$STEPS" -- "$SH" serve --stdio --profile ops "${SKILLS[@]}")
la=$(sed -n 1p <<<"$a" | names); lb=$(sed -n 1p <<<"$b" | names)
[ "$la" = "greet " ] && ok "greeters lists only greet" || fail "greeters lists: $la"
[ "$lb" = "echo noop sleep " ] && ok "ops lists the three testing tools" || fail "ops lists: $lb"
[ "$lb" = "$local_ops" ] && ok "tools --profile ops --format mcp shows the same set" || fail "local: $local_ops vs $lb"
sed -n 2p <<<"$a" | jq -e '.result.isError != true' >/dev/null && ok "greeters may call greet" || fail "greeters greet: $(sed -n 2p <<<"$a")"
sed -n 3p <<<"$b" | jq -e '.result.isError != true' >/dev/null && ok "ops may call noop" || fail "ops noop: $(sed -n 3p <<<"$b")"
sed -n 2p <<<"$b" | jq -e '.error' >/dev/null && ok "ops may not call greet" || fail "ops greet: $(sed -n 2p <<<"$b")"
# Outside the profile reads exactly as unknown: the same code and message
# shape as a tool that does not exist.
outside=$(sed -n 3p <<<"$a" | jq -c '.error | {code, message: (.message | sub("\"[^\"]*\""; "N"))}')
unknown=$(sed -n 4p <<<"$a" | jq -c '.error | {code, message: (.message | sub("\"[^\"]*\""; "N"))}')
[ -n "$outside" ] && [ "$outside" = "$unknown" ] && ok "outside the profile is refused as unknown ($outside)" \
  || fail "outside: $outside unknown: $unknown"
# Canonical names too are refused, not only portable ones.
c=$("${DRIVE[@]}" '[["call","testing/noop.echo"]]' -- "$SH" serve --stdio --profile greeters "${SKILLS[@]}")
jq -e '.error.code == -32602' <<<"$c" >/dev/null && ok "a canonical name outside the profile is refused" || fail "canonical: $c"

# Pagination skips the tools outside: page 1 greet with a cursor, page 2
# sleep and no cursor (nothing of the profile remains).
p1=$("${DRIVE[@]}" '[["list",null]]' -- "$SH" serve --stdio --page-size 1 --profile mixed "${SKILLS[@]}")
cur=$(jq -r '.result.nextCursor // empty' <<<"$p1")
[ "$(names <<<"$p1")" = "greet " ] && [ -n "$cur" ] && ok "page 1: greet and a cursor" || fail "page 1: $p1"
p2=$("${DRIVE[@]}" "[[\"list\",\"$cur\"]]" -- "$SH" serve --stdio --page-size 1 --profile mixed "${SKILLS[@]}")
[ "$(names <<<"$p2")" = "sleep " ] && ok "page 2: sleep" || fail "page 2: $p2"
jq -e '.result | has("nextCursor") | not' <<<"$p2" >/dev/null && ok "no cursor after the last tool of the profile" || fail "page 2 cursor: $p2"
# Without a profile, every tool is there.
all=$("${DRIVE[@]}" '[["list",null]]' -- "$SH" serve --stdio "${SKILLS[@]}" | names)
[ "$all" = "echo greet noop sleep " ] && ok "no profile: every tool" || fail "no profile: $all"
# Tool search follows the profile: it never finds a hidden tool.
TS='[["call","search_tools",{"query":"return the text argument echo"}],["list",null]]'
ta=$("${DRIVE[@]}" "$TS" -- "$SH" serve --stdio --tool-search on --profile greeters "${SKILLS[@]}")
tb=$("${DRIVE[@]}" "$TS" -- "$SH" serve --stdio --tool-search on --profile ops "${SKILLS[@]}")
sed -n 1p <<<"$ta" | jq -e '[.result.structuredContent.tools[].name] | index("echo") == null' >/dev/null \
  && ok "search under greeters does not find echo" || fail "greeters search: $ta"
sed -n 2p <<<"$ta" | jq -e '[.result.tools[].name] | index("echo") == null' >/dev/null \
  && ok "nor lists it after the search" || fail "greeters list after search: $ta"
sed -n 1p <<<"$tb" | jq -e '[.result.structuredContent.tools[].name] | index("echo") != null' >/dev/null \
  && ok "search under ops finds echo" || fail "ops search: $tb"

# Prompts follow the profile: a skill with no tool in it has no prompts.
PSTEPS='[["req","prompts/list"],["req","prompts/get",{"name":"summarize_report","arguments":{"topic":"sales"}}]]'
PSK=(--skill "$LIB/hello.so" --skill "$LIB/testing-library.so")
pa=$("${DRIVE[@]}" "$PSTEPS" -- "$SH" serve --stdio --profile greeters "${PSK[@]}")
pb=$("${DRIVE[@]}" "$PSTEPS" -- "$SH" serve --stdio --profile ops "${PSK[@]}")
sed -n 1p <<<"$pa" | jq -e '.result.prompts == []' >/dev/null && ok "greeters lists no library prompt" || fail "greeters prompts: $pa"
sed -n 2p <<<"$pa" | jq -e '.error.message | test("unknown prompt")' >/dev/null && ok "greeters cannot get it (unknown prompt)" || fail "greeters prompts/get: $pa"
sed -n 1p <<<"$pb" | jq -e '[.result.prompts[].name] == ["summarize_report"]' >/dev/null && ok "ops lists the library prompt" || fail "ops prompts: $pb"
sed -n 2p <<<"$pb" | jq -e '.result.messages' >/dev/null && ok "ops gets it" || fail "ops prompts/get: $pb"
run "$SH" serve --stdio --profile nope "${SKILLS[@]}" </dev/null; expect_rc 4 "serve --profile of a missing profile"
expect_err "profile set nope" "says how to create it"

# --- limits ---
run "$SH" config --host rate-principal 10; expect_rc 2 "a rate without a unit is refused"
expect_err "10/s" "says the rate form"
run "$SH" config --host concurrency-tool 0; expect_rc 2 "a zero cap is refused"
run "$SH" config --host rate-principal 2/s; expect_rc 0 "rate-principal 2/s"
run "$SH" config --host rate-principal-burst 2; expect_rc 0 "burst 2"
r=$("${DRIVE[@]}" '[["call","noop"],["call","noop"],["call","noop"],["call","nope"],["sleep",1.1],["call","noop"]]' \
  -- "$SH" serve --stdio "${SKILLS[@]}")
sed -n 2p <<<"$r" | jq -e '.result' >/dev/null && ok "the burst is admitted" || fail "burst: $r"
third=$(sed -n 3p <<<"$r")
jq -e '.error.code == -32029 and .error.data.retryAfter == 1 and .error.data.limit == "principal_rate"' \
  <<<"$third" >/dev/null && ok "the third call is refused with retryAfter 1" || fail "third: $third"
# An unknown tool is still unknown (the name is checked first).
sed -n 4p <<<"$r" | jq -e '.error.code == -32602' >/dev/null && ok "an unknown tool says unknown, not limited" || fail "unknown: $r"
sed -n 5p <<<"$r" | jq -e '.result.isError != true' >/dev/null && ok "after retryAfter the call is admitted again" || fail "recovery: $r"

# Over HTTP: the refusal is counted in /metrics.
start_server lim --http 127.0.0.1:0 "${SKILLS[@]}"
open_session "$URL/mcp"
for i in 1 2 3; do
  post "$URL/mcp" "{\"jsonrpc\":\"2.0\",\"id\":$((i+1)),\"method\":\"tools/call\",\"params\":{\"name\":\"noop\",\"arguments\":{}}}" -H "Mcp-Session-Id: $SID"
done
expect_body '"retryAfter":1' "HTTP: the third call is refused with retryAfter"
expect_hdr 'Retry-After: 1' "HTTP: with a Retry-After header"
m=$(curl -s "$URL/metrics")
case "$m" in *'skillhost_calls_limited_total{limit="principal_rate"} 1'*) ok "/metrics counts the refusal" ;;
  *) fail "/metrics: $(grep limited <<<"$m")" ;; esac
stop_server "$PID"
run "$SH" config --host rate-principal; expect_out "2/s" "the limit is stored as given"
finish
