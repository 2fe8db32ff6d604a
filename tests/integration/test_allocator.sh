#!/usr/bin/env bash
# The skillhost program runs on mimalloc unless it was built without it
# (-DSKILLHOST_MIMALLOC=OFF, or a sanitizer or fuzzing build, which keep
# their own allocator). Under load glibc's arena locks were half the futex
# calls of a tools/call: a server's request memory is made on an I/O thread
# and freed on a call thread, and it has more threads than glibc has arenas.
# Checked three ways: what --version says (it asks mimalloc about a real
# block), that a serving process has libmimalloc mapped, and that calls
# from 8 connections at once on both policies are all answered.
# A command that runs once (here `call`) lets its heap grow in huge pages
# and gives its workers glibc's huge-page settings (allocator.h); `serve`
# does neither, and MIMALLOC_LARGE_OS_PAGES=0 (or off) turns both off. Checked on
# the live processes: the host's mappings advised huge (VmFlags hg, where
# the kernel has transparent huge pages) and its worker's environment.
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

THP=0
[ -e /sys/kernel/mm/transparent_hugepage/enabled ] && THP=1
host_hg() { # host_hg PID: how many of its mappings are advised huge
  grep -c '^VmFlags:.* hg' "/proc/$1/smaps" 2>/dev/null
}
worker_tunables() { # worker_tunables HOSTPID: its first worker's GLIBC_TUNABLES, or "none"
  local p t
  for _ in $(seq 300); do
    for p in $(descendants "$1"); do
      [ "$(cat "/proc/$p/comm" 2>/dev/null)" = skillhost-worke ] || continue
      t=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^GLIBC_TUNABLES=//p')
      echo "${t:-none}"
      return
    done
    sleep 0.1
  done
  echo "no worker"
}
# What a one-shot command's host and workers should get here.
want_hg=0 want_tun=none
[ "$want" = mimalloc ] && [ "$THP" = 1 ] && want_hg=1
[ "$SANITIZED" = 1 ] || want_tun=glibc.malloc.hugetlb=1
for mode in default off; do
  envset=()
  [ $mode = off ] && envset=(MIMALLOC_LARGE_OS_PAGES=off)
  env "${envset[@]}" "$SH" call testing/sleeper.sleep '{"ms":3000}' --skill "$LIB/testing-sleeper.so" >"$TMP/sleep.$mode.out" 2>&1 &
  cpid=$!
  tun=$(worker_tunables "$cpid")
  hg=$(host_hg "$cpid")
  wait "$cpid"
  [ $? = 0 ] || fail "call ($mode): $(cat "$TMP/sleep.$mode.out")"
  if [ $mode = default ]; then
    # glibc shows the variable cut at its first ':' once it has read it.
    case $tun in "$want_tun"*) ok "call: the worker got GLIBC_TUNABLES=$tun" ;;
      *) fail "call: the worker got GLIBC_TUNABLES '$tun', want $want_tun..." ;; esac
    if [ "$want_hg" = 1 ]; then
      [ "${hg:-0}" -ge 1 ] && ok "call: $hg of the host's mappings are advised huge" ||
        fail "call: none of the host's mappings is advised huge"
    else
      [ "${hg:-0}" = 0 ] && ok "call: no huge mappings ($want, THP $THP)" ||
        fail "call: $hg huge mappings with $want and THP $THP"
    fi
  else
    [ "$tun" = none ] && ok "call, MIMALLOC_LARGE_OS_PAGES=off: the worker got no GLIBC_TUNABLES" ||
      fail "call, MIMALLOC_LARGE_OS_PAGES=off: the worker got GLIBC_TUNABLES '$tun'"
    [ "${hg:-0}" = 0 ] && ok "call, MIMALLOC_LARGE_OS_PAGES=off: no huge mappings" ||
      fail "call, MIMALLOC_LARGE_OS_PAGES=off: $hg huge mappings"
  fi
done

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
  if [ $policy = isolated ]; then
    tun=$(worker_tunables "$PID")
    [ "$tun" = none ] && ok "serve: its workers got no GLIBC_TUNABLES" ||
      fail "serve: a worker got GLIBC_TUNABLES '$tun'"
  fi
  hg=$(host_hg "$PID")
  [ "${hg:-0}" = 0 ] && ok "$policy: serve has no huge mappings" ||
    fail "$policy: serve has $hg huge mappings"
  got=$(cat "$TMP/$policy".*.out | grep -o '"text":"n[0-9]*"' | sort -u | wc -l)
  [ "$got" = $((CONNS * PER)) ] && ok "$policy: $got calls from $CONNS connections answered" ||
    fail "$policy: $got of $((CONNS * PER)) calls answered"
  stop_server "$PID"
done
finish
