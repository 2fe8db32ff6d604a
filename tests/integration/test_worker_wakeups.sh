#!/usr/bin/env bash
# A skill worker sleeps at most once per call. While it waits for its next
# call, the host reads its last reply; a worker asleep in recvmsg on its
# unix socket was woken by that read each time (freeing the reply's buffer
# wakes the socket's writers, and a recvmsg sleeper is woken whatever it
# waits for), found nothing, and slept again: 1.35-1.42 voluntary context
# switches per call at 32 connections (1.76-1.79 here), a wasted wake-up on the path of
# every isolated call. It now sleeps in poll, which is woken for input
# only. Counted from /proc over calls from 8 connections at once, after a
# warm-up that starts the whole pool.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"

CONNS=8 PER=250

start_server wake --http 127.0.0.1:0 --skill "$LIB/testing-noop.so"
M=$URL/mcp
open_session "$M"
[ -n "$SID" ] || { fail "no session: $body"; finish; }

# wave COUNT TAG: CONNS curls at once, COUNT calls each; prints how many
# distinct calls were answered.
wave() {
  local pids=() c
  for c in $(seq 1 "$CONNS"); do
    echo_calls_config "$TMP/$2.$c.cfg" "$M" "$SID" $((c * 100000)) "$1"
    curl -s --max-time 120 -K "$TMP/$2.$c.cfg" >"$TMP/$2.$c.out" &
    pids+=($!)
  done
  for c in "${pids[@]}"; do wait "$c"; done
  cat "$TMP/$2".*.out | grep -o '"text":"n[0-9]*"' | sort -u | wc -l
}
# switches: voluntary context switches of every thread of every worker.
switches() {
  local p t n=0
  for p in $(descendants "$PID"); do
    for t in /proc/"$p"/task/*/status; do
      n=$((n + $(awk '/^voluntary_ctxt_switches/ {print $2}' "$t" 2>/dev/null || echo 0)))
    done
  done
  echo "$n"
}

# Warm up until a wave starts no more workers: the pool grows only while
# every worker is busy, and a worker's start-up is not a call.
workers=0
for w in 1 2 3 4 5 6; do
  got=$(wave 40 "warm$w")
  [ "$got" = $((CONNS * 40)) ] || fail "warm-up $w: $got of $((CONNS * 40)) answered"
  now=$(descendants "$PID" | wc -w)
  [ "$now" = "$workers" ] && break
  workers=$now
done
ok "warm-up: the pool is $workers processes"
for attempt in 1 2 3; do
  before=$(switches)
  got=$(wave "$PER" "run$attempt")
  after=$(switches)
  [ "$(descendants "$PID" | wc -w)" = "$workers" ] && break
  echo "the worker pool changed during run $attempt; again"
  workers=$(descendants "$PID" | wc -w)
done
[ "$(descendants "$PID" | wc -w)" = "$workers" ] || fail "the worker pool kept changing: the counts cover different workers"
n=$((CONNS * PER))
[ "$got" = "$n" ] && ok "$n calls answered from $CONNS connections" || fail "$got of $n calls answered"
per=$(awk -v d=$((after - before)) -v n="$n" 'BEGIN {printf "%.3f", d / n}')
echo "workers: $workers processes; voluntary context switches per call: $per"
awk -v p="$per" 'BEGIN {exit !(p > 0.2)}' && ok "the workers slept between calls ($per per call): the count sees them" ||
  fail "only $per switches per call: the count did not see the workers sleep"
awk -v p="$per" 'BEGIN {exit !(p <= 1.05)}' && ok "at most one sleep per call ($per)" ||
  fail "$per voluntary context switches per call in the workers (at most 1.05)"

stop_server "$PID"
[ "$stop_rc" = 0 ] && ok "server stopped cleanly" || fail "server exit $stop_rc"
finish
