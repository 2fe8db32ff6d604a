#!/usr/bin/env python3
"""Drives `skillhost serve` over stdio and HTTP for test_mcp_resources.sh:
artifacts as session-scoped resources, no server path in what a client
sees, the HTTP download's token and scope, prompts and completion.
Prints "ok: ..." and "FAIL: ..." lines; the shell counts them."""
import base64, json, os, re, subprocess, sys, urllib.request, urllib.error

SH, LIB, HOME, TOKEN = sys.argv[1:5]
SKILL = os.path.join(LIB, "testing-library.so")
fails = 0


def check(cond, what, detail=""):
    global fails
    if cond:
        print("ok:", what)
    else:
        fails += 1
        print("FAIL:", what, detail if detail else "")


def no_paths(text, what):
    """No absolute path of the server (the store, the artifacts folder)."""
    leaks = [p for p in (HOME, os.path.realpath(HOME), "file://") if p in text]
    check(not leaks, what, "leaks %s in %s" % (leaks, text[:400]))


class Stdio:
    def __init__(self, *extra):
        self.p = subprocess.Popen([SH, "serve", "--stdio", "--skill", SKILL, *extra],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        self.n = 0
        self.notes = []
        self.req("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                "clientInfo": {"name": "t", "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, m):
        self.p.stdin.write(json.dumps(m) + "\n")
        self.p.stdin.flush()

    def req(self, method, params=None):
        self.n += 1
        m = {"jsonrpc": "2.0", "id": self.n, "method": method}
        if params is not None:
            m["params"] = params
        self.send(m)
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("FAIL: the server closed stdout")
            self.last = line
            r = json.loads(line)
            if r.get("id") == self.n:
                return r
            self.notes.append(r)

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=20)


def find_tool(s, suffix):
    tools = s.req("tools/list")["result"]["tools"]
    return next(t["name"] for t in tools if t["name"].endswith(suffix))


def links(res):
    return [b for b in res["result"]["content"] if b["type"] == "resource_link"]


# --- stdio ---
s = Stdio()
tool = find_tool(s, "write_report")
r = s.req("tools/call", {"name": tool, "arguments": {"name": "q3", "text": "hello report"}})
raw = s.last
no_paths(raw, "a tool result names no server path (stdio)")
ls = links(r)
check(len(ls) == 1 and ls[0]["uri"].startswith("skillhost://artifacts/"),
      "the resource_link is a skillhost://artifacts/ URI", ls)
sc = r["result"].get("structuredContent", {})
check(not sc.get("path", "").startswith("/") and sc.get("uri") == ls[0]["uri"],
      "structuredContent carries the resource URI, not a path", sc)
check(any(n.get("method") == "notifications/resources/list_changed" for n in s.notes),
      "resources/list_changed when the session's artifacts grow")
rd = s.req("resources/read", {"uri": ls[0]["uri"]})
c = rd.get("result", {}).get("contents", [{}])[0]
check(c.get("text") == "hello report" and c.get("mimeType") == "text/plain",
      "resources/read returns the artifact's text", rd)
r = s.req("tools/call", {"name": tool, "arguments": {"name": "bin", "text": "\u00e9t\u00e9", "binary": True}})
rd = s.req("resources/read", {"uri": links(r)[0]["uri"]})
c = rd["result"]["contents"][0]
check(base64.b64decode(c.get("blob", "")) == "\u00e9t\u00e9".encode(),
      "a binary artifact is a base64 blob", c)
r = s.req("tools/call", {"name": tool, "arguments": {"name": "big", "size": 17 * 1024 * 1024}})
rd = s.req("resources/read", {"uri": links(r)[0]["uri"]})
e = rd.get("error", {})
check(e.get("code") == -32602 and "over the" in e.get("message", "") and "/artifacts/" in e.get("message", ""),
      "an artifact over the read cap is refused, naming the download", e)
lst = s.req("resources/list")["result"]["resources"]
uris = [x["uri"] for x in lst]
check("library://readme" in uris and sum(u.startswith("skillhost://artifacts/") for u in uris) == 3,
      "resources/list has the skill's resource and the session's 3 artifacts", uris)
check("library://live/today" in uris, "and what the skill's list() reports", uris)
rd = s.req("resources/read", {"uri": "skillhost://artifacts/0000000000000000-nope.txt"})
check(rd.get("error", {}).get("code") == -32002, "an unknown artifact is -32002", rd)
rd = s.req("resources/read", {"uri": "library://topics/security"})
check(rd.get("result", {}).get("contents", [{}])[0].get("text") == "Notes on security.",
      "a template read substitutes the variable", rd)
tl = s.req("resources/templates/list")["result"]["resourceTemplates"]
check({"skillhost://artifacts/{id}", "library://topics/{topic}"} <= {t["uriTemplate"] for t in tl},
      "resources/templates/list", tl)
cp = s.req("completion/complete", {"ref": {"type": "ref/resource", "uri": "library://topics/{topic}"},
                                   "argument": {"name": "topic", "value": "s"}})
check(cp["result"]["completion"]["values"] == ["sales", "security", "support"],
      "completion of a template variable", cp)
cp = s.req("completion/complete", {"ref": {"type": "ref/resource", "uri": "skillhost://artifacts/{id}"},
                                   "argument": {"name": "id", "value": ""}})
check(len(cp["result"]["completion"]["values"]) == 3, "completion of the session's artifact ids", cp)
pl = s.req("prompts/list")["result"]["prompts"]
check([p["name"] for p in pl] == ["summarize_report"] and pl[0]["arguments"][0]["required"] is True,
      "prompts/list", pl)
pg = s.req("prompts/get", {"name": "summarize_report", "arguments": {"style": "short"}})
check(pg.get("error", {}).get("code") == -32602 and '"topic"' in pg["error"]["message"],
      "prompts/get without a required argument is -32602 naming it", pg)
pg = s.req("prompts/get", {"name": "summarize_report", "arguments": {"topic": "Q3", "colour": "x"}})
check(pg.get("error", {}).get("code") == -32602 and '"colour"' in pg["error"]["message"],
      "prompts/get with an undeclared argument is refused naming it", pg)
pg = s.req("prompts/get", {"name": "summarize_report", "arguments": {"topic": "Q3", "style": "long"}})
msgs = pg.get("result", {}).get("messages", [])
check(len(msgs) == 2 and msgs[0]["content"]["text"] == "Summarize the report on Q3 in a long style."
      and msgs[1]["role"] == "assistant", "prompts/get substitutes the arguments", pg)
cp = s.req("completion/complete", {"ref": {"type": "ref/prompt", "name": "summarize_report"},
                                   "argument": {"name": "style", "value": "b"}})
check(cp["result"]["completion"] == {"values": ["bullet points"], "total": 1, "hasMore": False},
      "completion of a prompt argument", cp)
sub = s.req("resources/subscribe", {"uri": "library://readme"})
check(sub.get("result") == {}, "resources/subscribe to a known resource", sub)
sub = s.req("resources/subscribe", {"uri": "library://nothing"})
check(sub.get("error", {}).get("code") == -32002, "resources/subscribe to an unknown one is refused", sub)
s.close()
# Dynamic reads and computed completions run in the skill like tool calls:
# in its worker when isolated (another process), in the server otherwise.
for extra, where in (((), "isolated"), (("--in-process",), "in-process")):
    d = Stdio(*extra) if not extra else None
    if extra:
        d = Stdio.__new__(Stdio)
        d.p = subprocess.Popen([SH, "--in-process", "serve", "--stdio", "--skill", SKILL],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
        d.n, d.notes = 0, []
        d.req("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                             "clientInfo": {"name": "t", "version": "1"}})
    rd = d.req("resources/read", {"uri": "library://live/x1"})
    text = rd.get("result", {}).get("contents", [{}])[0].get("text", "")
    m = re.match(r"live x1 from pid (\d+)$", text)
    check(m and (int(m.group(1)) != d.p.pid) == (where == "isolated"),
          "%s: a dynamic template is read by the skill's read()" % where, rd)
    rd = d.req("resources/read", {"uri": "library://live/missing"})
    check(rd.get("error", {}).get("code") == -32002 and "no live item" in rd["error"]["message"],
          "%s: its tool_error is -32002 with the skill's message" % where, rd)
    cp = d.req("completion/complete", {"ref": {"type": "ref/prompt", "name": "summarize_report"},
                                       "argument": {"name": "topic", "value": "ba"}})
    check(cp.get("result", {}).get("completion", {}).get("values") == ["backlog"],
          "%s: skill.completion/1 completes a prompt argument without values" % where, cp)
    cp = d.req("completion/complete", {"ref": {"type": "ref/resource", "uri": "library://live/{item}"},
                                       "argument": {"name": "item", "value": ""}})
    check(cp.get("result", {}).get("completion", {}).get("values") == ["alpha", "beta", "gamma"],
          "%s: and a template variable without values" % where, cp)
    d.close()

# A new session does not see the first one's artifacts.
s = Stdio()
rd = s.req("resources/read", {"uri": ls[0]["uri"]})
check(rd.get("error", {}).get("code") == -32002, "another stdio session cannot read it", rd)
s.close()

# --- HTTP ---
ready = os.path.join(HOME, "..", "res.ready")
srv = subprocess.Popen([SH, "serve", "--http", "127.0.0.1:0", "--token-file", TOKEN,
                        "--skill", SKILL, "--ready-file", ready],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
import time
for _ in range(100):
    if os.path.exists(ready) and os.path.getsize(ready):
        break
    time.sleep(0.1)
URL = open(ready).read().split()[0]
tok = open(TOKEN).read().strip()


def http(method, path, body=None, headers=None, token=True):
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if token:
        h["Authorization"] = "Bearer " + tok
    h.update(headers or {})
    rq = urllib.request.Request(URL + path, method=method, headers=h,
                                data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(rq, timeout=30) as f:
            return f.status, dict(f.headers), f.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def rpc(sid, method, params, i=[10]):
    i[0] += 1
    st, h, b = http("POST", "/mcp", {"jsonrpc": "2.0", "id": i[0], "method": method, "params": params},
                    {"Mcp-Session-Id": sid} if sid else None)
    text = b.decode()
    if "text/event-stream" in h.get("Content-Type", ""):
        datas = [json.loads(l[5:]) for l in text.splitlines() if l.startswith("data:") and l[5:].strip()]
        text = next(json.dumps(d) for d in datas if d.get("id") == i[0])
    return json.loads(text), text, h


def session():
    r, _, h = rpc(None, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                         "clientInfo": {"name": "t", "version": "1"}})
    sid = h.get("Mcp-Session-Id") or h.get("mcp-session-id")
    http("POST", "/mcp", {"jsonrpc": "2.0", "method": "notifications/initialized"}, {"Mcp-Session-Id": sid})
    return sid


A, B = session(), session()
tools = rpc(A, "tools/list", {})[0]["result"]["tools"]
tool = next(t["name"] for t in tools if t["name"].endswith("write_report"))
r, text, _ = rpc(A, "tools/call", {"name": tool, "arguments": {"name": "deck", "text": "over http"}})
no_paths(text, "a tool result names no server path or URL (HTTP)")
check(URL not in text, "nor the server's /artifacts URL")
uri = links(r)[0]["uri"]
aid = uri[len("skillhost://artifacts/"):]
rd = rpc(A, "resources/read", {"uri": uri})[0]
check(rd.get("result", {}).get("contents", [{}])[0].get("text") == "over http",
      "the session reads its resource_link over HTTP", rd)
rd = rpc(B, "resources/read", {"uri": uri})[0]
check(rd.get("error", {}).get("code") == -32002, "another HTTP session cannot read it", rd)
st, _, _ = http("GET", "/artifacts/" + aid, token=False, headers={"Mcp-Session-Id": A})
check(st == 401, "the download needs the token", st)
st, _, _ = http("GET", "/artifacts/" + aid)
check(st == 400, "the download needs the session", st)
st, _, _ = http("GET", "/artifacts/" + aid, headers={"Mcp-Session-Id": B})
check(st == 404, "another session cannot download it", st)
st, h, b = http("GET", "/artifacts/" + aid, headers={"Mcp-Session-Id": A})
check(st == 200 and b == b"over http" and h.get("Content-Disposition") == "attachment"
      and h.get("Content-Type", "").startswith("text/plain"), "the session downloads it", (st, h, b))
st, _, _ = http("GET", "/artifacts/..%2f..%2fconfig.json", headers={"Mcp-Session-Id": A})
check(st == 404, "no traversal through the download", st)
srv.terminate()
srv.wait(timeout=20)

# The local CLI still says where the file is.
out = subprocess.run([SH, "call", tool, '{"name":"local","text":"x"}', "--skill", SKILL],
                     capture_output=True, text=True)
check(out.returncode == 0 and os.path.join(HOME, "artifacts") in out.stdout,
      "skillhost call still prints the local path", out.stdout[:300])
sys.exit(1 if fails else 0)
