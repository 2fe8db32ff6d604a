# Shared helpers for the integration tests (sourced, not run).
# Env from ctest: SKILLHOST_BIN, SKILLS_OUT, SOURCE_DIR, BUILD_DIR.
set -uo pipefail
: "${SKILLHOST_BIN:?run through ctest}"
SH=$SKILLHOST_BIN
# Whether this is an ASan+UBSan build, as the build says (ctest sets it).
# Not `ldd | grep -q`: under pipefail, grep's early exit can SIGPIPE ldd
# and turn a match into a failure.
SANITIZED=${SKILLHOST_SANITIZED:-0}
LIB=$SKILLS_OUT/lib
failures=0
. "$(dirname "${BASH_SOURCE[0]}")/../skip.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/skillhost-it.XXXXXX")
# No test leaves a process behind: on exit, whatever this shell started and
# is still running (servers, drains, clients a failed check left waiting)
# is killed, children included, before the temporary folder goes.
descendants() { # descendants PID: every live descendant, parents first
  # From /proc, not pgrep: minimal Debian images have no procps.
  local root=$1 f s pid todo
  local -A kids=()
  for f in /proc/[0-9]*/stat; do
    { s=$(<"$f"); } 2>/dev/null || continue
    pid=${f#/proc/}; pid=${pid%/stat}
    s=${s##*) }  # the command name may hold spaces; fields follow it
    set -- $s    # $1 state, $2 parent
    kids[$2]+=" $pid"
  done
  todo=${kids[$root]:-}
  while [ -n "${todo// /}" ]; do
    set -- $todo; pid=$1; shift; todo="$* ${kids[$pid]:-}"
    echo "$pid"
  done
}
kill_descendants() {
  local pids
  pids=$(descendants $$)
  disown -a 2>/dev/null # no "Killed" job notices in the test's output
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  return 0
}
cleanup_test() { kill_descendants; rm -rf "$TMP"; }
trap cleanup_test EXIT
export SKILLHOST_HOME=$TMP/home

# run CMD...: runs it, keeping stdout in $out, stderr in $err, status in $rc.
run() {
  out=$("$@" 2>"$TMP/stderr") && rc=0 || rc=$?
  err=$(cat "$TMP/stderr")
}
# now_ms: the clock in milliseconds, for timing what a test runs.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# timed_run CMD...: run, and the wall time it took in $ms.
timed_run() {
  local t0
  t0=$(now_ms)
  run "$@"
  ms=$(( $(now_ms) - t0 ))
}
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
expect_rc() { # expect_rc WANT what
  if [ "$rc" -eq "$1" ]; then ok "$2 (exit $rc)"; else
    fail "$2: exit $rc, wanted $1"; echo "  stdout: $out"; echo "  stderr: $err"; fi
}
expect_out() { # expect_out SUBSTRING what
  case "$out" in *"$1"*) ok "$2" ;; *) fail "$2: stdout lacks '$1'"; echo "  stdout: $out"; echo "  stderr: $err" ;; esac
}
expect_err() {
  case "$err" in *"$1"*) ok "$2" ;; *) fail "$2: stderr lacks '$1'"; echo "  stderr: $err" ;; esac
}
finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures failure(s)"; exit 1; fi
  echo "all passed"
}
