# Shared helpers for the integration tests (sourced, not run).
# Env from ctest: SKILLHOST_BIN, SKILLS_OUT, SOURCE_DIR, BUILD_DIR.
set -uo pipefail
: "${SKILLHOST_BIN:?run through ctest}"
SH=$SKILLHOST_BIN
LIB=$SKILLS_OUT/lib
failures=0
. "$(dirname "${BASH_SOURCE[0]}")/../skip.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/skillhost-it.XXXXXX")
# No test leaves a process behind: on exit, whatever this shell started and
# is still running (servers, drains, clients a failed check left waiting)
# is killed, children included, before the temporary folder goes.
descendants() { # descendants PID: every live descendant, parents first
  local c
  for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done
}
kill_descendants() {
  local pids
  pids=$(descendants $$)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  wait 2>/dev/null
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
