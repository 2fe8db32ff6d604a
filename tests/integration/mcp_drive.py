"""Drive one `skillhost serve --stdio` session from a script of steps.

usage: mcp_drive.py STEPS_JSON -- SERVE_CMD...
STEPS_JSON is a list of ["call", NAME, ARGS?], ["list", CURSOR|null]
["req", METHOD, PARAMS] or ["sleep", SECONDS]; every response is
printed as one JSON line (sleep prints nothing). Exits 1 when the server
closes early or a response does not come within 20 s.
"""
import json
import subprocess
import sys
import time

steps = json.loads(sys.argv[1])
cmd = sys.argv[sys.argv.index("--") + 1:]
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, text=True)


def send(m):
    p.stdin.write(json.dumps(m) + "\n")
    p.stdin.flush()


def reply(want):
    t0 = time.time()
    while time.time() - t0 < 20:
        line = p.stdout.readline()
        if not line:
            sys.exit("server closed")
        m = json.loads(line)
        if m.get("id") == want:
            return m
    sys.exit("no reply")


send({"jsonrpc": "2.0", "id": 0, "method": "initialize",
      "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                 "clientInfo": {"name": "drive", "version": "1"}}})
reply(0)
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
n = 1
for step in steps:
    kind, arg = step[0], step[1]
    if kind == "sleep":
        time.sleep(arg)
        continue
    if kind == "req":
        send({"jsonrpc": "2.0", "id": n, "method": arg,
              "params": step[2] if len(step) > 2 else {}})
    elif kind == "list":
        params = {"cursor": arg} if arg else {}
        send({"jsonrpc": "2.0", "id": n, "method": "tools/list",
              "params": params})
    else:
        send({"jsonrpc": "2.0", "id": n, "method": "tools/call",
              "params": {"name": arg,
                         "arguments": step[2] if len(step) > 2 else {}}})
    print(json.dumps(reply(n)), flush=True)
    n += 1
p.stdin.close()
p.wait(timeout=20)
