#!/usr/bin/env python3
"""A minimal OpenAI Chat Completions fake for test_agent_ask.sh.

usage: agent_ask_fake.py PORT_FILE LOG_FILE

Turn 1 (a request with tools): the model calls the asker's summarize, ask
and wipe tools. A request without tools is a skill's sampling request: answered
"It greets the world." Turn 2 (tools again, with the results): the final
answer. Every request body is appended to LOG_FILE, one JSON per line.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

port_file, log_file = sys.argv[1], sys.argv[2]
turn = [0]


def reply(message, finish):
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
            "model": "gpt-fake", "choices": [{"index": 0, "message": message,
                                              "finish_reason": finish}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                      "total_tokens": 2}}


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(log_file, "a") as f:
            f.write(json.dumps(body) + "\n")
        names = [t["function"]["name"] for t in body.get("tools", [])]
        if not names:
            out = reply({"role": "assistant",
                         "content": "It greets the world."}, "stop")
        elif turn[0] == 0:
            turn[0] = 1
            pick = lambda s: next(n for n in names if n.endswith(s))
            calls = [{"id": "call_1", "type": "function", "function": {
                         "name": pick("summarize"),
                         "arguments": json.dumps({"text": "hello world"})}},
                     {"id": "call_2", "type": "function", "function": {
                         "name": pick("ask"), "arguments": "{}"}},
                     {"id": "call_3", "type": "function", "function": {
                         "name": pick("wipe"), "arguments": "{}"}}]
            out = reply({"role": "assistant", "content": None,
                         "tool_calls": calls}, "tool_calls")
        else:
            out = reply({"role": "assistant", "content": "Done."}, "stop")
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


srv = HTTPServer(("127.0.0.1", 0), H)
with open(port_file, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
