#!/usr/bin/env bash
# The skillhost program runs on mimalloc unless it was built without it
# (-DSKILLHOST_MIMALLOC=OFF, or a sanitizer or fuzzing build, which keep
# their own allocator). Under load glibc's arena locks were half the futex
# calls of a tools/call: a server's request memory is made on an I/O thread
# and freed on a call thread, and it has more threads than glibc has arenas.
# Checked three ways: what --version says (it asks mimalloc about a real
# block), that a serving process has libmimalloc mapped, and that calls
# from 8 connections at once on both policies are all answered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"

cache=$BUILD_DIR/CMakeCache.txt
[ -r "$cache" ] || { fail "no $cache"; finish; }
setting() { sed -n "s/^$1:BOOL=//p" "$cache"; }
want=mimalloc
if [ "$(setting SKILLHOST_MIMALLOC)" != ON ] || [ "$(setting SKILLHOST_SANITIZE)" = ON ] ||
  [ "$(setting SKILLHOST_FUZZ)" = ON ]; then
  want=glibc
fi

run "$SH" --version
expect_rc 0 "--version"
expect_out "allocator: $want" "--version names the allocator ($want)"
case $out in *"not in use"*) fail "mimalloc is linked but malloc does not come from it" ;; esac

CONNS=8 PER=150
for policy in isolated in-process; do
  SERVE_POLICY=$policy start_server "$policy" --http 127.0.0.1:0 --skill "$LIB/testing-noop.so"
  M=$URL/mcp
  open_session "$M"
  [ -n "$SID" ] || { fail "$policy: no session: $body"; stop_server "$PID"; continue; }
  if grep -q libmimalloc "/proc/$PID/maps"; then mapped=mimalloc; else mapped=glibc; fi
  [ "$mapped" = "$want" ] && ok "$policy: the server maps $want's allocator" ||
    fail "$policy: the server maps $mapped's allocator, want $want"
  pids=()
  for c in $(seq 1 "$CONNS"); do
    echo_calls_config "$TMP/$policy.$c.cfg" "$M" "$SID" $((c * 100000)) "$PER"
    curl -s --max-time 120 -K "$TMP/$policy.$c.cfg" >"$TMP/$policy.$c.out" 2>>"$TMP/curl.err" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  got=$(cat "$TMP/$policy".*.out | grep -o '"text":"n[0-9]*"' | sort -u | wc -l)
  [ "$got" = $((CONNS * PER)) ] && ok "$policy: $got calls from $CONNS connections answered" ||
    fail "$policy: $got of $((CONNS * PER)) calls answered"
  stop_server "$PID"
done
finish
