#!/usr/bin/env bash
# The threads woken to run calls do not preempt the threads that wake them
# (host/lib/util/schedclass.h): under load, the call threads and every
# skill worker process run in SCHED_BATCH, while the HTTP I/O threads and
# the main thread keep the default class. Read from /proc (field 41 of
# stat, the policy: 0 SCHED_OTHER, 3 SCHED_BATCH) of the server's threads
# and of every process under it, while an isolated call is running; then
# the calls still answer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"

# policy TASKDIR: the scheduling policy number of a thread or process.
policy() {
  local s
  { s=$(<"$1/stat"); } 2>/dev/null || return 1
  s=${s##*) } # the command name may hold spaces; fields follow it
  set -- $s   # $1 is field 3: the policy, field 41, is $39
  echo "${39}"
}

start_server http --http 127.0.0.1:0 --skill "$LIB/testing-noop.so" \
  --skill "$LIB/testing-sleeper.so"
M=$URL/mcp
open_session "$M"
[ -n "$SID" ] || { fail "no session: $body"; finish; }
H=(-H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-11-25')
# A call that stays running while the classes are read.
post "$M" '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"testing.sleeper.sleep","arguments":{"ms":3000}}}' "${H[@]}" &
CALL=$!
for _ in $(seq 50); do
  [ -n "$(descendants "$PID")" ] && break
  sleep 0.1
done
sleep 0.3

calls=0 other=0 io=0 bad=""
for t in /proc/"$PID"/task/*; do
  name=$(<"$t/comm") || continue
  pol=$(policy "$t") || continue
  case "$name" in
    skillhost-call) calls=$((calls + 1)); [ "$pol" = 3 ] || bad="$bad call:$pol" ;;
    MHD-worker) io=$((io + 1)); [ "$pol" = 0 ] || bad="$bad io:$pol" ;;
    *) [ "$pol" = 0 ] && other=$((other + 1)) || bad="$bad $name:$pol" ;;
  esac
done
[ "$calls" -ge 1 ] && ok "$calls call thread(s) running" || fail "no thread named skillhost-call in the server"
[ "$io" -ge 1 ] && ok "$io HTTP I/O thread(s)" || fail "no MHD-worker thread in the server"
[ -z "$bad" ] && ok "call threads in SCHED_BATCH; I/O and $other other threads in the default class" \
  || fail "threads in the wrong class:$bad"

workers=0 wbad=""
for p in $(descendants "$PID"); do
  for t in /proc/"$p"/task/*; do
    pol=$(policy "$t") || continue
    workers=$((workers + 1))
    [ "$pol" = 3 ] || wbad="$wbad $p/${t##*/}:$pol"
  done
done
[ "$workers" -ge 1 ] && ok "$workers worker thread(s) under the server" || fail "no worker process under the server"
[ -z "$wbad" ] && ok "every worker thread in SCHED_BATCH" || fail "worker threads in the wrong class:$wbad"

wait "$CALL"
post "$M" '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"testing.noop.echo","arguments":{"text":"after"}}}' "${H[@]}"
expect_body '"after"' "a call after the check answers"
stop_server "$PID"
[ "$stop_rc" = 0 ] && ok "server stopped cleanly" || fail "server exit $stop_rc"
finish
