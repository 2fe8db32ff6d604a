#!/usr/bin/env bash
# What a skill worker asks of the kernel per call stays small: every
# system call there is a trip through the sandbox's seccomp filter, on the
# path of every isolated call. Counted with strace on the workers while
# calls run that read their arguments through the SDK's accessors:
#   - no futex per call (the lazy parse of the arguments once took
#     pthread_once, which wakes waiters with a futex call every time);
#   - no getrusage per call (the CPU used, which decides when a worker
#     asks to retire, is read at most every 100 ms);
# and the worker still reads each call (recvmsg) and answers it (write).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"

command -v strace >/dev/null || skip "strace is not installed (apt-get install strace)"
N=100

start_server sys --http 127.0.0.1:0 --skill "$LIB/testing-noop.so"
M=$URL/mcp
open_session "$M"
[ -n "$SID" ] || { fail "no session: $body"; finish; }
H=(-H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-11-25')
call() { # call ID
  post "$M" "{\"jsonrpc\":\"2.0\",\"id\":$1,\"method\":\"tools/call\",\"params\":{\"name\":\"testing.noop.echo\",\"arguments\":{\"text\":\"n$1\"}}}" "${H[@]}"
}
call 2
expect_body '"n2"' "a first call answers (the worker is up)"

pids=$(descendants "$PID")
[ -n "$pids" ] || { fail "no worker process under the server"; finish; }
args=()
for p in $pids; do args+=(-p "$p"); done
strace -f -c -o "$TMP/strace" "${args[@]}" 2>"$TMP/strace.err" &
ST=$!
# strace says nothing when it is attached; a call it then sees shows it is.
for _ in $(seq 50); do
  grep -q "attached" "$TMP/strace.err" 2>/dev/null && break
  sleep 0.1
done
sleep 0.5
# The calls go through one curl over one connection, so that they come
# quickly: the CPU-time reads are bounded by time, not by calls.
echo_calls_config "$TMP/calls.cfg" "$M" "$SID" 100 "$N"
t0=$(now_ms)
curl -s --max-time 60 -K "$TMP/calls.cfg" >"$TMP/answers"
t1=$(now_ms)
answered=$(grep -o '"text":"n[0-9]*"' "$TMP/answers" | sort -u | wc -l)
kill -INT "$ST"
wait "$ST" 2>/dev/null
[ "$answered" = "$N" ] && ok "$N calls answered under strace in $((t1 - t0)) ms" \
  || { fail "$answered of $N calls answered"; head -c 600 "$TMP/answers"; echo; }

# calls_of NAME: its calls in strace -c's table (0 when absent). Rows are
# % time, seconds, usecs/call, calls, [errors,] syscall.
calls_of() { awk -v n="$1" '$NF == n {print $4; f = 1} END {if (!f) print 0}' "$TMP/strace"; }
recv=$(calls_of recvmsg) wr=$(calls_of write) fx=$(calls_of futex) ru=$(calls_of getrusage)
echo "worker system calls over $N calls: recvmsg $recv, write $wr, futex $fx, getrusage $ru"
[ "$recv" -ge "$N" ] && ok "strace saw the worker read each call ($recv recvmsg)" \
  || { fail "strace saw $recv recvmsg for $N calls: it did not watch the worker"; cat "$TMP/strace" "$TMP/strace.err"; }
[ "$wr" -ge "$N" ] && ok "the worker answered each call ($wr write)" || fail "$wr write for $N calls"
# A handful is allowed (start-up of a thread, a contended lock); one per
# call is the regression.
[ "$fx" -le $((N / 4)) ] && ok "no futex per call ($fx in $N calls)" || fail "$fx futex calls in $N calls"
# At most one per 100 ms, and one for a look just before the first.
max_ru=$(((t1 - t0) / 100 + 2))
[ "$max_ru" -lt "$N" ] || fail "the calls took $((t1 - t0)) ms: too slow to tell a read per call from one per 100 ms"
[ "$ru" -le "$max_ru" ] && ok "no getrusage per call ($ru in $N calls over $((t1 - t0)) ms)" \
  || fail "$ru getrusage calls in $N calls over $((t1 - t0)) ms (at most $max_ru)"

stop_server "$PID"
[ "$stop_rc" = 0 ] && ok "server stopped cleanly" || fail "server exit $stop_rc"
finish
