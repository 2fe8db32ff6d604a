#!/usr/bin/env bash
# The tamper-evident audit log with the real binaries: calls from `call`
# (several processes at once) and from `serve --http` make a log whose
# records name the principal, the skill version, the package digest and an
# argument hash (never the values); `audit verify` passes on it and fails,
# naming the line, after an edited byte, a deleted line, two swapped
# lines, a removed or changed seal, a removed file and a cut last line;
# `audit tail` and `audit query` filter it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
PKG=$SKILLS_OUT/packages
SECRET=audit-secret-7f3e21
LOGS=$SKILLHOST_HOME/logs
# Small files, so the test sees several rotations and seals.
export SKILLHOST_AUDIT_MAX_BYTES=2048
mkdir -p "$SKILLHOST_HOME"

run "$SH" audit verify; expect_rc 0 "verify with no log yet"
expect_out "no audit log yet" "says there is none"
run "$SH" audit bogus; expect_rc 2 "an unknown verb is refused"
run "$SH" audit query --since yesterday; expect_rc 2 "a bad --since is refused"
expect_err "RFC 3339" "says the time format"

install_for_test "$PKG/testing-noop-1.0.0.skill"
case $? in 0) ;; 2) finish; exit 0 ;; *) finish; exit 1 ;; esac

ARGS='{"text":"'$SECRET'"}'
for i in 1 2 3 4 5 6; do
  "$SH" call testing/noop.echo "$ARGS" >/dev/null 2>>"$TMP/calls.err" || fail "call $i"
done
# Several processes append at once: the lock keeps one chain.
pids=()
for i in 1 2 3 4 5 6 7 8; do
  "$SH" call testing/noop.echo "{\"text\":\"p$i\"}" >/dev/null 2>>"$TMP/calls.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a parallel call failed"; done

# One call over MCP: the principal is the client that said who it is.
start_server http --http 127.0.0.1:0
open_session "$URL/mcp"
post "$URL/mcp" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' -H "Mcp-Session-Id: $SID"
NAME=$(printf '%s' "$body" | grep -o '"name":"[^"]*echo"' | head -1 | cut -d'"' -f4)
[ -n "$NAME" ] && ok "found the echo tool as $NAME" || fail "no echo tool in tools/list: $body"
post "$URL/mcp" '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"'"$NAME"'","arguments":{"text":"mcp"}}}' \
  -H "Mcp-Session-Id: $SID"
expect_code 200 "tools/call over HTTP"
stop_server "$PID"

total=$(cat "$LOGS"/audit.jsonl* 2>/dev/null | grep -c '"tool"')
[ "$total" -eq 15 ] && ok "15 records" || fail "records: $total, wanted 15"
ls "$LOGS"/audit.jsonl.1.seal >/dev/null 2>&1 && ok "the rotated file is sealed" || fail "no seal: $(ls "$LOGS")"
[ "$(stat -c %a "$SKILLHOST_HOME/audit.key")" = 600 ] && ok "the host audit key is 0600" || fail "audit.key mode"
grep -q "$SECRET" "$LOGS"/* && fail "an argument value is in the log" || ok "no argument value in the log"
line=$(grep -h '"bytes_in":'${#ARGS}',' "$LOGS"/audit.jsonl* | head -1)
want=$(printf '%s' "$ARGS" | b2sum -l 256 | cut -d' ' -f1)
case "$line" in *"\"args_hash\":\"blake2b256:$want\""*) ok "args_hash is BLAKE2b-256 of the arguments" ;;
  *) fail "args_hash: wanted $want in $line" ;; esac
case "$line" in *'"principal":"cli"'*'"version":"1.0.0","digest":"'[0-9a-f]*) ok "names principal, version and digest" ;;
  *) fail "principal/version/digest: $line" ;; esac
digest=$(printf '%s' "$line" | grep -o '"digest":"[0-9a-f]*"' | cut -d'"' -f4)
grep -qs "\"manifest\":[[:space:]]*\"$digest\"" "$SKILLHOST_HOME/installed.json" && ok "the digest is the store's" \
  || fail "digest $digest is not in the store index"
mcp=$(grep -h '"surface":"mcp"' "$LOGS"/audit.jsonl*)
case "$mcp" in *'"principal":"curl"'*'"client":"curl"'*) ok "the MCP record names its client" ;;
  *) fail "mcp record: $mcp" ;; esac

run "$SH" audit verify; expect_rc 0 "a clean log verifies"
expect_out "15 records" "counts every record"
run "$SH" --json audit verify; expect_out '"ok": true' "verify --json"

# --- tail and query ---
run "$SH" audit tail -n 3; expect_rc 0 "tail -n 3"
[ "$(printf '%s\n' "$out" | wc -l)" = 3 ] && ok "three lines" || fail "tail: $out"
run "$SH" audit tail -n 1 --json
[ "$out" = "$(tail -n 1 "$LOGS/audit.jsonl")" ] && ok "tail --json is the stored record" || fail "tail --json: $out"
run "$SH" audit tail -n 100 --json
[ "$(printf '%s\n' "$out" | wc -l)" = 15 ] && ok "tail reaches into the rotated files" || fail "tail -n 100: $(printf '%s\n' "$out" | wc -l)"
run "$SH" audit query --principal curl --json; expect_rc 0 "query --principal"
[ "$(printf '%s\n' "$out" | grep -c '"principal":"curl"')" = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] \
  && ok "only the MCP client's record" || fail "query --principal curl: $out"
run "$SH" audit query --principal cli --tool 'testing/noop.*' --json
[ "$(printf '%s\n' "$out" | grep -c '"principal":"cli"')" = 14 ] && ok "query --tool glob and principal" || fail "cli records: $out"
run "$SH" audit query --tool testing/noop.noop; [ -z "$out" ] && ok "no record of an uncalled tool" || fail "query --tool: $out"
run "$SH" audit query --since 2999-01-01T00:00:00Z; [ -z "$out" ] && ok "nothing since the future" || fail "--since future: $out"
run "$SH" audit query --since 2000-01-01T00:00:00+02:00 --principal curl
expect_out "curl" "--since the past with an offset"

# --- tampering: each on a fresh copy of the clean log ---
cp -a "$LOGS" "$TMP/clean"
restore() { rm -rf "$LOGS"; cp -a "$TMP/clean" "$LOGS"; }
tampered() { # tampered WHAT EXPECTED-IN-STDERR
  run "$SH" audit verify; expect_rc 3 "$1 is detected"; expect_err "$2" "$1: names where"
  restore
}
lines1=$(wc -l <"$LOGS/audit.jsonl.1")
[ "$lines1" -ge 3 ] || fail "audit.jsonl.1 has only $lines1 lines"
sed -i '2s/"status":"ok"/"status":"ol"/' "$LOGS/audit.jsonl.1"; tampered "one edited byte" "audit.jsonl.1:3:"
sed -i '1s/"status":"ok"/"status":"ol"/' "$LOGS/audit.jsonl"
[ "$(wc -l <"$LOGS/audit.jsonl")" -ge 2 ] && tampered "an edited byte in the live file" "audit.jsonl:2:" || restore
sed -i '2d' "$LOGS/audit.jsonl.1"; tampered "one deleted line" "audit.jsonl.1:2:"
sed -i '$d' "$LOGS/audit.jsonl.1"; tampered "a deleted last line of a sealed file" "seal does not verify"
sed -i '2{h;d};3{G}' "$LOGS/audit.jsonl.1"; tampered "two swapped lines" "audit.jsonl.1:2:"
rm "$LOGS/audit.jsonl.1.seal"; tampered "a removed seal" "has no seal"
sed -i '3s/last:0/last:X/;3s/last:[1-9a-f]/last:0/;3s/last:X/last:1/' "$LOGS/audit.jsonl.1.seal"; tampered "a changed seal comment" "seal does not verify"
sed -i '2s/^\(..........\)A/\1X/;2s/^\(..........\)[^X]/\1A/;2s/^\(..........\)X/\1B/' "$LOGS/audit.jsonl.1.seal"
tampered "a changed seal signature" "audit.jsonl.1:"
cp "$LOGS/audit.jsonl.2.seal" "$LOGS/audit.jsonl.1.seal"; tampered "another file's seal" "seal does not verify"
rm "$LOGS/audit.jsonl.1" "$LOGS/audit.jsonl.1.seal"; tampered "a removed file" "audit.jsonl:1:"
truncate -s -3 "$LOGS/audit.jsonl"; tampered "a cut last line" "is cut"
head -c -1 "$LOGS/audit.jsonl.1" >"$TMP/x" && cat "$TMP/x" >"$LOGS/audit.jsonl.1"; tampered "a sealed file's cut last line" "audit.jsonl.1:"
run "$SH" audit verify; expect_rc 0 "the restored log verifies again"

# --- explicit files, and a pinned key ---
files=()
for f in "$LOGS"/audit.jsonl.[0-9]; do files=("$f" "${files[@]}"); done
run "$SH" audit verify "${files[@]}" "$LOGS/audit.jsonl"; expect_rc 0 "verify FILE... oldest first"
if [ "${#files[@]}" -ge 2 ]; then
  run "$SH" audit verify "${files[1]}" "${files[0]}"; expect_rc 3 "files out of order are refused"
fi
"$SH" keygen -p "$TMP/other.pub" -s "$TMP/other.sec" -W >/dev/null 2>&1 || fail "keygen"
run "$SH" audit verify --key "$TMP/other.pub"; expect_rc 3 "a seal by another key is refused"
expect_err "audit.jsonl." "names the file whose seal fails"
run "$SH" audit verify --key "$SKILLHOST_HOME/audit.pub"; expect_rc 0 "--key with the host key"
finish
