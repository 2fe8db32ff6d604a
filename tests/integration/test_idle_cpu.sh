#!/usr/bin/env bash
# An idle server costs no CPU. Waiting sides poll for a moment before they
# sleep when calls come back to back (spin.h): after a burst of isolated
# tools/call over HTTP on one keep-alive connection, which is what turns
# the polling on, the server and its workers, left alone for a few
# seconds, must use next to no CPU time (from /proc/PID/stat: utime +
# stime of the server and of every process under it). A wait that kept
# polling would use a whole CPU here, 100 times the bound. This measures
# CPU time, not speed: a loaded machine only makes an idle process idler.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
IDLE_S=3
# The bound: 3% of one CPU over the idle period, which the housekeeping
# threads (session expiry, skill reloading) stay far below.
TCK=$(getconf CLK_TCK)
MAX_TICKS=$(( TCK * IDLE_S * 3 / 100 ))

# cpu_ticks PID: utime + stime of PID and of every live descendant.
cpu_ticks() {
  local total=0 p s
  for p in "$1" $(descendants "$1"); do
    { s=$(<"/proc/$p/stat"); } 2>/dev/null || continue
    s=${s##*) } # the command name may hold spaces; fields follow it
    set -- $s   # $1 is field 3 (state): utime and stime are 14 and 15
    total=$(( total + ${12} + ${13} ))
  done
  echo "$total"
}

# burst URL SID N: N echo calls back to back on one keep-alive connection;
# prints how many were answered with the echoed text.
burst() {
  python3 - "$1" "$2" "$3" <<'EOF'
import http.client, json, sys, urllib.parse
url, sid, n = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
good = 0
for i in range(n):
    body = json.dumps({"jsonrpc": "2.0", "id": 10 + i, "method": "tools/call",
                       "params": {"name": "testing.noop.echo",
                                  "arguments": {"text": "idle-%d" % i}}})
    c.request("POST", url.path, body, {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"})
    r = c.getresponse()
    if r.status == 200 and ("idle-%d" % i) in r.read().decode():
        good += 1
print(good)
EOF
}

for policy in isolated in-process; do
  SERVE_POLICY=$policy start_server "$policy" --http 127.0.0.1:0 --skill "$LIB/testing-noop.so"
  M=$URL/mcp
  open_session "$M"
  [ -n "$SID" ] || { fail "$policy: no session: $body"; continue; }
  n=$(burst "$M" "$SID" 300)
  [ "$n" = 300 ] && ok "$policy: 300 calls back to back answered" || fail "$policy: $n of 300 calls answered"
  if [ "$policy" = isolated ]; then
    [ -n "$(descendants "$PID")" ] && ok "the calls ran in a worker process" \
      || fail "no worker process under the server"
  fi
  # Past every spin (well under a millisecond), then measure.
  sleep 0.5
  t0=$(cpu_ticks "$PID")
  sleep "$IDLE_S"
  t1=$(cpu_ticks "$PID")
  used=$(( t1 - t0 ))
  if [ "$used" -le "$MAX_TICKS" ]; then
    ok "$policy: idle for ${IDLE_S} s, the server and its workers used $used of at most $MAX_TICKS ticks (${TCK}/s)"
  else
    fail "$policy: idle for ${IDLE_S} s, the server and its workers used $used ticks (${TCK}/s), more than $MAX_TICKS: something polls while idle"
  fi
  # And it still answers at once after the idle period.
  n=$(burst "$M" "$SID" 3)
  [ "$n" = 3 ] && ok "$policy: answers after the idle period" || fail "$policy: $n of 3 calls answered after idling"
  stop_server "$PID"
  [ "$stop_rc" = 0 ] && ok "$policy: server stopped cleanly" || fail "$policy: server exit $stop_rc"
done
finish
