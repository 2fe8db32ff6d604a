#!/usr/bin/env python3
"""A scripted OpenAI Chat Completions server for test_agent_cli.sh.

usage: fake_model.py PORTFILE LOGFILE SCRIPT_JSON

SCRIPT_JSON is a list; request N (from 0) gets entry N, the last entry
repeating:
  "hang"                       read the request, never answer
  {"status": 404}              an error status with an OpenAI error body
  {"html": true}               200 with a web page
  {"calls": [{"name", "args"}]} the model asks for tools
  {"text": "..."}              the model answers
Each request appends "PATH model=M" to LOGFILE before it is answered, so a
test knows when the host is waiting.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, log_file, script = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
count = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            n = count
            count += 1
        try:
            model = json.loads(body).get("model", "")
        except ValueError:
            model = "?"
        with open(log_file, "a") as f:
            f.write(f"{self.path} model={model}\n")
        step = script[min(n, len(script) - 1)]
        if step == "hang":
            threading.Event().wait(600)
            return
        if "status" in step:
            self.reply(step["status"], {"error": {"message": "not here", "type": "invalid_request_error"}})
            return
        if "html" in step:
            data = b"<!doctype html><html><body>Welcome</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        msg = {"role": "assistant", "content": step.get("text")}
        if "calls" in step:
            msg["tool_calls"] = [
                {"id": f"call_{n}_{i}", "type": "function",
                 "function": {"name": c["name"], "arguments": json.dumps(c["args"])}}
                for i, c in enumerate(step["calls"])]
        self.reply(200, {"id": f"r{n}", "object": "chat.completion", "model": model,
                         "choices": [{"index": 0, "message": msg,
                                      "finish_reason": "tool_calls" if "calls" in step else "stop"}],
                         "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}})

    def do_GET(self):
        self.reply(404, {"error": {"message": "not here"}})

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
