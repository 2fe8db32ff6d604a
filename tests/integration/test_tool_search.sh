#!/usr/bin/env bash
# `serve --tool-search`: over stdio, tools/list shows only search_tools
# (and --core-tools); a search by purpose returns the matching tool with
# its definition, adds it to the session's list and sends
# notifications/tools/list_changed; the found tool is then listed and
# callable; `auto` lists everything below its threshold and defers above
# it; a bad query is an error result. `tools --budget` reports the
# definitions' token cost against a client's documented limits.
. "$(dirname "$0")/lib.sh"
SKILLS=(--skill "$LIB/hello.so" --skill "$LIB/testing-everything.so" --skill "$LIB/testing-sleeper.so")

# session ARGS...: run serve --stdio with ARGS, feeding it the requests of
# $REQS (one JSON per line, each sent after the previous answer) and
# printing every message it wrote, one per line.
session() {
  python3 - "$SH" "$@" <<'PY'
import json, os, subprocess, sys
p = subprocess.Popen([sys.argv[1], "serve", "--stdio"] + sys.argv[2:],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
def send(o): p.stdin.write(json.dumps(o) + "\n"); p.stdin.flush()
send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {},
    "clientInfo": {"name": "t", "version": "1"}}})
print(p.stdout.readline().strip())
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
for line in os.environ["REQS"].splitlines():
    if not line.strip(): continue
    req = json.loads(line); send(req)
    while True:
        m = p.stdout.readline()
        if not m: break
        print(m.strip()); sys.stdout.flush()
        if json.loads(m).get("id") == req["id"]: break
p.stdin.close(); p.wait(timeout=20)
PY
}
js() { python3 -c "import json,sys
msgs=[json.loads(l) for l in sys.stdin if l.strip()]
$1"; }

REQS='{"jsonrpc":"2.0","id":1,"method":"tools/list"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_tools","arguments":{"query":"greet a person by their name"}}}
{"jsonrpc":"2.0","id":3,"method":"tools/list"}
{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"search_tools","arguments":{}}}
{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"search_tools","arguments":{"query":"zzzz qqqq"}}}'
export REQS
out=$(session "${SKILLS[@]}" --tool-search on)
names1=$(printf '%s\n' "$out" | js 'print(",".join(t["name"] for t in [m for m in msgs if m.get("id")==1][0]["result"]["tools"]))')
[ "$names1" = search_tools ] && ok "tools/list shows only search_tools" || fail "first list: $names1"
found=$(printf '%s\n' "$out" | js 'r=[m for m in msgs if m.get("id")==2][0]["result"]; print(r["structuredContent"]["tools"][0]["name"], "inputSchema" in r["structuredContent"]["tools"][0])')
case "$found" in *greet*" True") ok "the search finds greet first, with its definition" ;; *) fail "search: $found" ;; esac
printf '%s\n' "$out" | js 'i=[k for k,m in enumerate(msgs) if m.get("id")==2][0]; j=[k for k,m in enumerate(msgs) if m.get("id")==1][0]; assert any(m.get("method")=="notifications/tools/list_changed" for m in msgs[j+1:i+1])' &&
  ok "list_changed is sent when tools were found" || fail "no list_changed"
names3=$(printf '%s\n' "$out" | js 'print(",".join(t["name"] for t in [m for m in msgs if m.get("id")==3][0]["result"]["tools"]))')
case "$names3" in search_tools,*greet*) ok "the found tools are listed now ($names3)" ;; *) fail "second list: $names3" ;; esac
printf '%s\n' "$out" | js 'r=[m for m in msgs if m.get("id")==4][0]["result"]; assert r["isError"] and "query" in r["content"][0]["text"]' &&
  ok "a search without query is an error result" || fail "no-query search"
printf '%s\n' "$out" | js 'r=[m for m in msgs if m.get("id")==5][0]["result"]; assert r["structuredContent"]["tools"]==[] and "No tool matches" in r["content"][0]["text"]' &&
  ok "a query matching nothing says so" || fail "no-match search"

# Found tools are callable; so is any tool by name; core tools are listed.
GREET=$("$SH" tools --skill "$LIB/hello.so" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
REQS="{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}
{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"$GREET\",\"arguments\":{\"name\":\"Ada\"}}}"
out=$(session "${SKILLS[@]}" --tool-search on --core-tools example/hello.greet)
printf '%s\n' "$out" | js 'names=[t["name"] for t in [m for m in msgs if m.get("id")==1][0]["result"]["tools"]]; assert len(names)==2 and "search_tools" in names' &&
  ok "--core-tools are listed beside search_tools" || fail "core tools: $out"
printf '%s\n' "$out" | js 'r=[m for m in msgs if m.get("id")==2][0]["result"]; assert "Hello, Ada" in json.dumps(r)' &&
  ok "a tool is callable by name" || fail "call: $out"

# auto: everything below the threshold, deferred above it.
REQS='{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
all=$("$SH" tools "${SKILLS[@]}" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
out=$(session "${SKILLS[@]}" --tool-search auto --page-size 1000)
n=$(printf '%s\n' "$out" | js 'print(len([m for m in msgs if m.get("id")==1][0]["result"]["tools"]))')
[ "$n" = "$all" ] && ok "auto below the threshold lists all $all tools" || fail "auto listed $n of $all"
out=$(session "${SKILLS[@]}" --tool-search auto --tool-search-threshold 3)
n=$(printf '%s\n' "$out" | js 'print(len([m for m in msgs if m.get("id")==1][0]["result"]["tools"]))')
[ "$n" = 1 ] && ok "auto above the threshold defers" || fail "auto above: $n tools"
run "$SH" serve --stdio --tool-search maybe
expect_rc 2 "a bad --tool-search value is refused"

# tools --budget
run "$SH" tools "${SKILLS[@]}" --budget --client cursor
expect_rc 0 "tools --budget --client cursor"
expect_out "tokens" "reports tokens"
expect_out "40 tools" "names Cursor's documented tool limit"
run "$SH" tools "${SKILLS[@]}" --budget --json
expect_rc 0 "tools --budget --json"
printf '%s' "$out" | python3 -c 'import json,sys; b=json.load(sys.stdin); assert b["tools"] > 5 and b["tokens"] > 100 and b["tokens"] == sum(t["tokens"] for t in b["perTool"])' &&
  ok "--json totals are the sum of the tools" || fail "budget json: $out"
run "$SH" tools "${SKILLS[@]}" --budget --client nosuch
expect_rc 2 "an unknown --client is refused"
finish
