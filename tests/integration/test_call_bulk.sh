#!/usr/bin/env bash
# `skillhost call` with large arguments on stdin (read into a sealed memfd
# the isolated worker maps, hashed for the audit log while the call runs):
# the tool gets every byte, from a file and from a pipe, isolated and
# in-process; the audit record's args_hash is BLAKE2b-256 of exactly those
# bytes; empty stdin is {}; workers leave no scratch folder behind; and
# SKILLHOST_TRACE=timings prints the phases only when asked.
. "$(dirname "$0")/lib.sh"
EVERY=$LIB/testing-everything.so
LOG=$SKILLHOST_HOME/logs/audit.jsonl
export TMPDIR=$TMP/scratch # the workers' scratch folders go here
mkdir -p "$TMPDIR" "$SKILLHOST_HOME" # the audit log needs a home to be in

# 300 KB: over the size that goes to a worker as a memfd (128 KiB) and the
# one hashed on a second thread (256 KiB); not a multiple of the page size.
python3 -c 'import json,sys; json.dump({"pad": "x" * 300001, "n": 1, "s": "caf\u00e9"}, open(sys.argv[1], "w"))' "$TMP/big.json"
size=$(stat -c %s "$TMP/big.json")
want_hash=$(python3 -c 'import hashlib,sys; print(hashlib.blake2b(open(sys.argv[1],"rb").read(), digest_size=32).hexdigest())' "$TMP/big.json")

# same_text WHAT: the echoed text is the file's bytes, exactly.
same_text() {
  if python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); sys.exit(0 if r["content"][0]["text"] == open(sys.argv[1]).read() else 1)' "$TMP/big.json" <<<"$out"; then
    ok "$1: the tool got all $size bytes"
  else
    fail "$1: the tool got other bytes"; echo "  stderr: $err"
  fi
}
# last_hash: args_hash of the audit log's last record.
last_hash() { tail -n 1 "$LOG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["args_hash"])'; }
expect_hash() {
  [ "$(last_hash)" = "blake2b256:$want_hash" ] && ok "$1: args_hash is BLAKE2b-256 of the bytes" \
    || fail "$1: args_hash $(last_hash), wanted blake2b256:$want_hash"
}

for mode in isolated in-process; do
  flag=(); [ "$mode" = in-process ] && flag=(--in-process)
  run "$SH" "${flag[@]}" call testing/everything.echo - --skill "$EVERY" --compact <"$TMP/big.json"
  expect_rc 0 "$mode, stdin from a file"; same_text "$mode, file"; expect_hash "$mode, file"
  out=$(cat "$TMP/big.json" | "$SH" "${flag[@]}" call testing/everything.echo - --skill "$EVERY" --compact 2>"$TMP/stderr") && rc=0 || rc=$?
  err=$(cat "$TMP/stderr")
  expect_rc 0 "$mode, stdin from a pipe"; same_text "$mode, pipe"; expect_hash "$mode, pipe"
  tail -n 1 "$LOG" | python3 -c 'import json,sys; r=json.load(sys.stdin); sys.exit(0 if r["isolation"]==sys.argv[1] and r["bytes_in"]==int(sys.argv[2]) else 1)' "$mode" "$size" \
    && ok "$mode: the record has the policy and the size" || fail "$mode: record $(tail -n 1 "$LOG")"
done

run "$SH" call testing/everything.echo - --skill "$EVERY" --compact </dev/null
expect_rc 0 "empty stdin"; expect_out '"text":"{}"' "empty stdin is {}"
run "$SH" call testing/everything.echo - --skill "$EVERY" --compact <<<'{"a":'
expect_rc 1 "malformed stdin"; expect_out "not valid JSON" "malformed stdin explained"

[ -z "$(ls -A "$TMPDIR")" ] && ok "no worker scratch folder is left" \
  || fail "left behind in TMPDIR: $(ls -A "$TMPDIR")"

run "$SH" call testing/everything.echo - --skill "$EVERY" <"$TMP/big.json"
case "$err" in *"skillhost: timing"*) fail "timings printed without SKILLHOST_TRACE" ;; *) ok "no timings by default" ;; esac
out=$(SKILLHOST_TRACE=other,timings "$SH" call testing/everything.echo - --skill "$EVERY" <"$TMP/big.json" 2>"$TMP/stderr") && rc=0 || rc=$?
err=$(cat "$TMP/stderr")
expect_rc 0 "a traced call"
for phase in "call: arguments read" "spawn: worker initialised" "isolated: call sent" "dispatch: invoke returned" "audit: record written" "call: closed"; do
  expect_err "$phase" "SKILLHOST_TRACE=timings shows '$phase'"
done
python3 - "$TMP/stderr" <<'PY' && ok "each timing line has the time since start and since the last mark" || fail "timing lines malformed: $err"
import re, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("skillhost: timing")]
pat = re.compile(r"^skillhost: timing +\d+\.\d{3} ms \(\+ *\d+\.\d{3}\)  \S.*$")
sys.exit(0 if lines and all(pat.match(l.rstrip("\n")) for l in lines) else 1)
PY
SKILLHOST_TRACE=timingsx "$SH" call testing/everything.echo '{}' --skill "$EVERY" >/dev/null 2>"$TMP/stderr"
grep -q "skillhost: timing" "$TMP/stderr" && fail "a word that only starts with timings turned it on" || ok "only the word timings turns it on"
finish
