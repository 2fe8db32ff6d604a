#!/usr/bin/env bash
# A rotation of the audit log does nothing slow while it holds the log's
# locks, which every call waiting to write its record waits on. Seen with
# strace on real `skillhost call` processes whose records rotate a log
# that already has all AUDIT_KEEP older files (audit.h):
#   - no rename replaces an existing file: on ext4 such a rename first
#     writes out the renamed file's data (auto_da_alloc). A rotation that
#     renamed .4 over .5 held every caller for 10-20 ms in serve --http;
#   - the oldest file is unlinked while a descriptor keeps it alive, and
#     that descriptor is closed (the blocks freed) only after the flock is
#     let go;
# and the chain and the seals still verify afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"

command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
PKG=$SKILLS_OUT/packages
LOGS=$SKILLHOST_HOME/logs
export SKILLHOST_AUDIT_MAX_BYTES=2048
mkdir -p "$SKILLHOST_HOME"
install_for_test "$PKG/testing-noop-1.0.0.skill"
case $? in 0) ;; 2) finish; exit 0 ;; *) finish; exit 1 ;; esac

# Fill the log until the oldest kept file exists: each further rotation
# drops one.
for i in $(seq 1 40); do
  [ -e "$LOGS/audit.jsonl.5" ] && break
  "$SH" call testing/noop.echo "{\"text\":\"fill $i\"}" >/dev/null 2>>"$TMP/calls.err" || fail "fill call $i"
done
[ -e "$LOGS/audit.jsonl.5" ] && ok "the log has its oldest kept file" || { fail "no audit.jsonl.5 after 40 calls: $(ls "$LOGS")"; finish; }

(cd "$LOGS" && ls -A) | sed "s|^|$LOGS/|" | sort >"$TMP/before"
: >"$TMP/trace"
# LeakSanitizer refuses to run under ptrace and aborts the process at its
# exit; the sanitizer build checks leaks in the other tests of `call`.
for i in $(seq 1 12); do
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -y -qq -o "$TMP/trace.$i" -e trace=rename,renameat,renameat2,unlink,unlinkat,close,flock \
    "$SH" call testing/noop.echo "{\"text\":\"traced $i\"}" >/dev/null 2>>"$TMP/calls.err" || fail "traced call $i"
  cat "$TMP/trace.$i" >>"$TMP/trace"
  echo "--- end of call $i" >>"$TMP/trace"
done
rotations=$(grep -c "rename(\"$LOGS/audit.jsonl\", " "$TMP/trace")
[ "$rotations" -ge 2 ] && ok "the traced calls rotated the log $rotations times" || { fail "only $rotations rotations traced"; finish; }

# Replay the renames and unlinks on the listing taken before: a rename
# whose target exists at that moment replaced a file.
python3 - "$TMP/before" "$TMP/trace" "$LOGS" >"$TMP/replay" <<'PY'
import re, sys
have = set(open(sys.argv[1]).read().split())
logs = sys.argv[3]
over = drops = late = 0
pending = {}  # process -> still holds the flock after a drop was opened
split = {}    # thread -> the start of a call strace split in two
def lines():
    # strace -f splits a call that another traced thread interrupts into
    # "<unfinished ...>" and "<... name resumed>": join the halves.
    for line in open(sys.argv[2]):
        line = line.rstrip('\n')
        if line.startswith('---'):
            continue
        pid = line.split(' ', 1)[0]
        if line.endswith('<unfinished ...>'):
            split[pid] = line[:-len('<unfinished ...>')].rstrip()
            continue
        r = re.match(r'(\d+)\s+<\.\.\. \w+ resumed>(.*)', line)
        if r:
            yield split.pop(pid, pid + ' ?(') + r.group(2)
            continue
        yield line
for line in lines():
    m = re.match(r'(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)', line)
    if not m or m.group(4) != '0':
        continue
    pid, call, args = m.group(1), m.group(2), m.group(3)
    paths = re.findall(r'"([^"]*)"', args)
    if call.startswith('rename') and len(paths) == 2:
        src, dst = paths
        if dst in have:
            print('rename over an existing file: %s -> %s' % (src, dst))
            over += 1
        have.discard(src)
        have.add(dst)
    elif call.startswith('unlink') and paths:
        have.discard(paths[-1])
    elif call == 'flock' and 'audit.lock' in args:
        if 'LOCK_UN' in args:
            pending.pop(pid, None)
        elif 'LOCK_EX' in args:
            pending[pid] = True
    elif call == 'close' and '(deleted)' in args and logs + '/audit.jsonl.' in args:
        drops += 1
        if pending.get(pid):
            print('the oldest file was closed while the flock was held: ' + line.strip())
            late += 1
print('renames over existing files: %d' % over)
print('oldest files closed after the flock: %d' % (drops - late))
print('oldest files closed under the flock: %d' % late)
PY
cat "$TMP/replay"
grep -q "^renames over existing files: 0$" "$TMP/replay" && ok "no rename replaced a file" || fail "a rotation renamed over an existing file"
drops=$(awk '/^oldest files closed after the flock:/ {print $NF}' "$TMP/replay")
[ "${drops:-0}" -ge "$rotations" ] && ok "each rotation closed the dropped oldest file after the flock ($drops)" ||
  fail "dropped files closed after the flock: ${drops:-0} of $rotations rotations"
grep -q "^oldest files closed under the flock: 0$" "$TMP/replay" && ok "none was closed under the flock" || fail "a dropped file was closed under the flock"

n=$(ls "$LOGS" | grep -c '^audit\.jsonl\.[0-9]*$')
[ "$n" -eq 5 ] && ok "five rotated files are kept" || fail "$n rotated files: $(ls "$LOGS")"
run "$SH" audit verify; expect_rc 0 "the chain and the seals verify after the rotations"
finish
