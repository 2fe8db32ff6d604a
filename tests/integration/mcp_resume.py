#!/usr/bin/env python3
"""Resumable Streamable HTTP, through a proxy that cuts a call's stream.

usage: mcp_resume.py SERVER_URL [orphan]
       (SERVER_URL: http://127.0.0.1:PORT of `serve --http`)

Starts a TCP proxy on 127.0.0.1 (port 0) in front of the server. The proxy
forwards bytes both ways and, once, cuts the connection (both sides) right
after it has passed on the first notifications/progress of a call: a
network drop mid-call. The client then resumes with GET + Last-Event-ID and
must get the rest of the stream: more progress and the call's result,
exactly once. With "orphan", the client starts a 30 s call, lets the
proxy cut it, and leaves without resuming (the server must cancel it once
the resumption grace has passed). Prints "ok: ..." / "FAIL: ..." lines;
exit 1 on any FAIL.
"""
import http.client
import json
import socket
import sys
import threading
import time

server = sys.argv[1].rstrip("/")
host, port = server.split("//")[1].split(":")
port = int(port)
failures = 0


def check(cond, what, detail=""):
    global failures
    if cond:
        print("ok: " + what)
    else:
        failures += 1
        print("FAIL: " + what + (": " + detail if detail else ""))


class Proxy:
    def __init__(self):
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self.cut_done = threading.Event()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            s = socket.create_connection((host, port))
            threading.Thread(target=self.pump, args=(c, s, False),
                             daemon=True).start()
            threading.Thread(target=self.pump, args=(s, c, True),
                             daemon=True).start()

    def pump(self, src, dst, from_server):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
                if (from_server and not self.cut_done.is_set()
                        and b"notifications/progress" in data):
                    self.cut_done.set()
                    break
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def events(raw):
    """Parse SSE text into (id, data) pairs; comments and retry skipped."""
    out = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        eid, data = None, []
        for line in block.split("\n"):
            if line.startswith("id:"):
                eid = line[3:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if eid is not None or data:
            out.append((eid, "\n".join(data)))
    return out


def read_all(resp):
    """Everything the response gives until it ends or is cut."""
    buf = b""
    try:
        while True:
            chunk = resp.read1(65536)
            if not chunk:
                break
            buf += chunk
    except (http.client.IncompleteRead, ConnectionError, OSError) as e:
        if isinstance(e, http.client.IncompleteRead):
            buf += e.partial
    return buf.decode()


proxy = Proxy()
BASE = {"Content-Type": "application/json",
        "Accept": "application/json, text/event-stream"}


def post(body, sid=None):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    h = dict(BASE)
    if sid:
        h["Mcp-Session-Id"] = sid
        h["MCP-Protocol-Version"] = "2025-11-25"
    conn.request("POST", "/mcp", json.dumps(body), h)
    return conn, conn.getresponse()


def get(sid, last):
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    conn.request("GET", "/mcp", headers={
        "Accept": "text/event-stream", "Mcp-Session-Id": sid,
        "MCP-Protocol-Version": "2025-11-25", "Last-Event-ID": last})
    return conn, conn.getresponse()


conn, r = post({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": "2025-11-25",
                           "capabilities": {},
                           "clientInfo": {"name": "resume", "version": "1"}}})
sid = r.getheader("Mcp-Session-Id")
r.read()
check(r.status == 200 and sid, "initialize through the proxy")
conn, r = post({"jsonrpc": "2.0", "method": "notifications/initialized"}, sid)
r.read()
conn, r = post({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, sid)
listing = json.loads(r.read())
names = [t["name"] for t in listing["result"]["tools"]]
sleep = next((n for n in names if n.endswith("sleep")), None)
check(sleep is not None, "the sleeper's tool is listed", str(names))

if len(sys.argv) > 2 and sys.argv[2] == "orphan":
    conn, r = post({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
                    "params": {"name": sleep, "arguments": {"ms": 30000},
                               "_meta": {"progressToken": "p9"}}}, sid)
    read_all(r)
    check(proxy.cut_done.is_set(), "the proxy cut the 30 s call")
    sys.exit(1 if failures else 0)

# The call: 1.5 s, progress every 100 ms. The proxy cuts after the first.
t0 = time.time()
conn, r = post({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                "params": {"name": sleep, "arguments": {"ms": 1500},
                           "_meta": {"progressToken": "p7"}}}, sid)
check(r.getheader("Content-Type", "").startswith("text/event-stream"),
      "the call answers with an event stream")
first = events(read_all(r))
check(proxy.cut_done.is_set(), "the proxy cut the stream mid-call")
ids = [e for e, _ in first if e]
got_result = any('"id":7' in d for _, d in first)
check(ids and not got_result,
      "the cut stream had event ids and no result", repr(first))
check(all("-" in i for i in ids), "event ids name their stream", repr(ids))
last = ids[-1]
time.sleep(0.3)

conn, r = get(sid, last)
check(r.status == 200, "GET with Last-Event-ID resumes the stream",
      str(r.status))
rest = events(read_all(r))
results = [d for _, d in rest if '"id":7' in d]
progress = [d for _, d in rest if "notifications/progress" in d]
check(len(results) == 1, "the result arrives exactly once", repr(rest))
check(results and "slept 1500 ms" in results[0],
      "it is the call's own result", repr(results))
check(len(progress) >= 1, "the missed progress is replayed or carried on")
resumed_ids = [e for e, _ in rest if e]
check(last not in resumed_ids and len(set(resumed_ids)) == len(resumed_ids),
      "nothing before Last-Event-ID is sent again", repr(resumed_ids))
check(all(i.split("-")[0] == last.split("-")[0] for i in resumed_ids),
      "every resumed event is of the call's stream", repr(resumed_ids))
check(time.time() - t0 < 10, "the call was not restarted (%.1f s)"
      % (time.time() - t0))

# A slow call without progress: after a second its answer turns into an
# event stream with a priming id, so it is resumable too. The client
# hangs up as soon as it has the id.
t1 = time.time()
direct = http.client.HTTPConnection(host, port, timeout=30)
h = dict(BASE, **{"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"})
direct.request("POST", "/mcp", json.dumps(
    {"jsonrpc": "2.0", "id": 11, "method": "tools/call",
     "params": {"name": sleep, "arguments": {"ms": 2500}}}), h)
r = direct.getresponse()
ctype = r.getheader("Content-Type", "")
prime = events(r.read1(65536).decode())
direct.sock.shutdown(socket.SHUT_RDWR)
direct.close()
pid = prime[0][0] if prime else None
check(ctype.startswith("text/event-stream") and pid and
      0.9 < time.time() - t1 < 2.4,
      "a slow call is primed with an event id after about a second",
      "%s %r %.1f" % (ctype, prime, time.time() - t1))
conn, r = get(sid, pid or "1-1")
rest = events(read_all(r))
results = [d for _, d in rest if '"id":11' in d]
check(len(results) == 1 and "slept 2500 ms" in results[0],
      "resumed from the priming id, its result arrives once", repr(rest))

# A stream read to its end is forgotten (the store keeps only cut ones).
conn, r = post({"jsonrpc": "2.0", "id": 8, "method": "tools/call",
                "params": {"name": sleep, "arguments": {"ms": 300},
                           "_meta": {"progressToken": "p8"}}}, sid)
whole = events(read_all(r))
done_ids = [e for e, _ in whole if e]
check(any('"id":8' in d for _, d in whole) and done_ids,
      "an uncut call streams its result", repr(whole))
time.sleep(0.2)
conn, r = get(sid, done_ids[0] if done_ids else "1-1")
r.read()
check(r.status == 405, "a stream read to its end cannot be replayed",
      str(r.status))

# An id never issued, or of a stream the store does not know: 405.
conn, r = get(sid, "999-999999")
r.read()
check(r.status == 405, "an unknown Last-Event-ID gets 405", str(r.status))
conn, r = get(sid, "garbage")
r.read()
check(r.status == 405, "a malformed Last-Event-ID gets 405", str(r.status))
sys.exit(1 if failures else 0)
