#!/usr/bin/env python3
"""A local HTTP server for test_egress.sh: a real server on one address.

usage: egress_server.py ADDRESS NAME HITS_FILE

Binds ADDRESS (127.0.0.1 or ::1) on a free port, prints the port, and
appends "NAME PATH" to HITS_FILE for every request, so a test can prove
that a refused address never saw a connection. Paths:
  /ok                 200, body "ok from NAME"
  /big                200, 1 MiB body
  /redirect?to=URL    302 to URL
"""
import http.server
import socket
import sys
import urllib.parse

ADDRESS, NAME, HITS = sys.argv[1], sys.argv[2], sys.argv[3]
BIG = b"b" * (1 << 20)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(HITS, "a") as f:
            f.write(f"{NAME} {self.path}\n")
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/redirect":
            to = urllib.parse.parse_qs(url.query)["to"][0]
            self.send_response(302)
            self.send_header("Location", to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = BIG if url.path == "/big" else f"ok from {NAME}".encode()
        self.send_response(200 if url.path in ("/ok", "/big") else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ":" in ADDRESS else socket.AF_INET
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the host cutting a response short is what some tests do


srv = Server((ADDRESS, 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
