#!/usr/bin/env bash
# What a skill sends reaches the MCP wire only as valid UTF-8, isolated and
# in-process alike: testing/hostile.bad_utf8 puts invalid bytes in each
# kind of output (result_json inside a JSON string, result_text, the
# tool_error message, a log message, a progress message, a resource link's
# name, an embedded resource's text) and ignores the refusal. Each comes
# back as a tool error or a warning that names the field and the byte, and
# every byte on stdout is UTF-8. Log and progress notifications name the
# skill and tool they come from (logger, and _meta).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
need_node
LIBS=(--skill "$LIB/testing-hostile.so" --skill "$LIB/testing-everything.so")

start() { # start [GLOBAL OPTS...]: serve --stdio as a coprocess
  rm -f "$TMP/pid"
  coproc SRV { sh -c 'echo $$ > "$1"; shift; exec "$@"' _ "$TMP/pid" \
                 "$SH" "$@" serve --stdio "${LIBS[@]}" 2>"$TMP/stdio.err" | tee -a "$TMP/out"; }
  IN=${SRV[1]} OUT=${SRV[0]}
  for _ in $(seq 300); do [ -s "$TMP/pid" ] && break; sleep 0.1; done
}
send() { printf '%s\n' "$1" >&"$IN"; }
recv_until() { # recv_until PATTERN: read lines until one matches (20 s)
  line=""
  while IFS= read -r -t 20 line <&"$OUT"; do
    case "$line" in *$1*) return 0 ;; esac
  done
  return 1
}
call() { # call ID TOOL ARGS [META]: send tools/call, wait for its answer
  send "{\"jsonrpc\":\"2.0\",\"id\":\"$1\",\"method\":\"tools/call\",\"params\":{\"name\":\"$2\",\"arguments\":$3${4:+,\"_meta\":$4}}}"
  recv_until "\"id\":\"$1\"" || { fail "$1: no answer"; return 1; }
}
has() { # has SUBSTRING what: the last answer holds SUBSTRING
  case "$line" in *"$1"*) ok "$2" ;; *) fail "$2: $line" ;; esac
}
notif() { # notif SUBSTRING... what: a line of stdout holds them all
  local what=${*: -1} lines a
  lines=$(cat "$TMP/out")
  for a in "${@:1:$#-1}"; do lines=$(printf '%s\n' "$lines" | grep -F -- "$a"); done
  [ -n "$lines" ] && ok "$what" || fail "$what: no line has ${*:1:$#-1}"
}

for mode in isolated in-process; do
  : > "$TMP/out"
  if [ "$mode" = isolated ]; then start; else start --in-process; fi
  send "$INIT"; recv_until '"id":1' >/dev/null || fail "$mode: no initialize answer"
  send '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  send '{"jsonrpc":"2.0","id":"lvl","method":"logging/setLevel","params":{"level":"debug"}}'
  recv_until '"id":"lvl"' >/dev/null

  call json testing.hostile.bad_utf8 '{"field":"json"}'
  has '"isError":true' "$mode: result_json with invalid UTF-8 in a string is a tool error"
  has 'result_json refused: not valid UTF-8 at byte 7' "$mode: naming the field and the byte"
  call text testing.hostile.bad_utf8 '{"field":"text"}'
  has 'result_text refused: not valid UTF-8 at byte 2' "$mode: result_text is refused the same way"
  call error testing.hostile.bad_utf8 '{"field":"error"}'
  has '"isError":true' "$mode: a tool_error with a bad message is still an error"
  has 'tool_error message was refused: not valid UTF-8 at byte 4' "$mode: saying its message was refused"
  call link testing.hostile.bad_utf8 '{"field":"link"}'
  has 'result_link name refused: not valid UTF-8 at byte 5' "$mode: a resource link's name"
  call resource testing.hostile.bad_utf8 '{"field":"resource"}'
  has 'result_resource text refused: not valid UTF-8 at byte 4' "$mode: an embedded resource's text"
  call log testing.hostile.bad_utf8 '{"field":"log"}'
  has '"text":"ok"' "$mode: a call whose log was refused still answers"
  notif '"method":"notifications/message"' '"level":"warning"' '"logger":"testing/hostile"' \
    'log message refused: not valid UTF-8 at byte 4' "$mode: the refused log becomes a warning from the skill"
  call progress testing.hostile.bad_utf8 '{"field":"progress"}' '{"progressToken":"pt"}'
  has '"text":"ok"' "$mode: a call whose progress message was refused still answers"
  notif '"method":"notifications/progress"' '"progressToken":"pt","progress":1,"total":2,"_meta"' \
    "$mode: the progress is sent without its message"
  notif '"logger":"testing/hostile"' 'progress message refused: not valid UTF-8 at byte 5' \
    "$mode: and the refusal is a warning from the skill"

  # Attribution.
  call elog testing.everything.log '{}'
  notif '"method":"notifications/message"' '"level":"info","logger":"testing/everything","data":"log message at level 1"' \
    '"_meta":{"dev.skillhost/skill":"testing/everything","dev.skillhost/tool":"log"}' \
    "$mode: a log notification names its skill (logger) and skill and tool (_meta)"
  call eprog testing.everything.progress '{"steps":2}' '{"progressToken":7}'
  notif '"method":"notifications/progress"' '"progressToken":7' \
    '"_meta":{"dev.skillhost/skill":"testing/everything","dev.skillhost/tool":"progress"}' \
    "$mode: a progress notification names its skill and tool (_meta)"
  call ok testing.hostile.ok '{}'
  has '"result"' "$mode: the skill serves the next call"

  eval "exec $IN>&-"
  wait "$SRV_PID"
  iconv -f UTF-8 -t UTF-8 "$TMP/out" >/dev/null 2>&1 && ok "$mode: every byte on stdout is UTF-8" \
    || fail "$mode: invalid UTF-8 reached stdout"
  bad=0
  while IFS= read -r l; do
    printf '%s' "$l" | node -e 'JSON.parse(require("fs").readFileSync(0,"utf8"))' 2>/dev/null || bad=$((bad + 1))
  done < "$TMP/out"
  [ "$bad" = 0 ] && ok "$mode: every stdout line is one JSON message" || fail "$mode: $bad lines are not JSON"
  grep -q "testing/hostile: result_json refused: not valid UTF-8 at byte 7" "$TMP/stdio.err" \
    && ok "$mode: the host log names the skill and the field" || fail "$mode: no refusal in the host log"
done

# The CLI gets the same answer and exit status.
run "$SH" call testing/hostile.bad_utf8 '{"field":"json"}' --compact --skill "$LIB/testing-hostile.so"
expect_rc 1 "skillhost call: a refused result is a failed call"
expect_out 'the skill sent no output the host could accept: result_json refused' "and says why"
finish
