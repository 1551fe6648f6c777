"""Shared plumbing of the provider fakes (vault.py, azure.py, google.py, elasticsearch.py).

Each fake is a small server written from its provider's documentation. This module gives them the
same outer behaviour, so tests drive every fake the same way:

- `serve(handler_class, state)` binds 127.0.0.1 (port from --port, default 0 = free), optionally
  HTTPS (--tls-cert/--tls-key), prints `READY <port>` on stdout once listening, and serves until
  killed (SIGTERM) or until --max-seconds pass (a bound, so a forgotten fake never runs for ever).
- Control endpoints under `/_fake/` (never a provider path):
    POST /_fake/faults   body: JSON list of faults, consumed in order by matching requests:
                         {"match": "<substring of 'METHOD /path?query'>", "status": 503,
                          "headers": {...}, "body": "..." | {...}, "delay": 0.0,
                          "fault": "close" | "truncate" | "garbage" | "cut" | "reset",
                          "times": 1}
                         close: no answer; truncate: a short body with a longer Content-Length;
                         garbage: a complete non-JSON body; cut: the real answer with its body
                         cut to its first `keep` bytes (or just after the text `cut_after`;
                         default half) and a matching
                         Content-Length (a complete but unusable response); reset: the real
                         answer's headers and half its body, then a TCP reset
    GET  /_fake/requests the request log: [{method, path, headers, body}] (bodies as text)
    POST /_fake/reset    clears the log and the faults (not the data)
- `BaseFakeHandler.send_json(status, obj, headers)` and friends.
Python 3 standard library only.
"""
import argparse
import io
import json
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def cut_point(body, fault):
    """Where a "cut" or "reset" fault cuts a body: just after `cut_after`, at `keep`, or half-way."""
    marker = fault.get("cut_after", "").encode()
    if marker and marker in body:
        return body.index(marker) + len(marker)
    return int(fault.get("keep", len(body) // 2))


class FakeState:
    """Faults and the request log; subclass it for the provider's data."""

    def __init__(self):
        self.lock = threading.RLock()
        self.faults = []
        self.log = []

    def take_fault(self, line):
        with self.lock:
            for f in self.faults:
                if f.get("match", "") in line and f.get("times", 1) > 0:
                    f["times"] = f.get("times", 1) - 1
                    if f["times"] <= 0:
                        self.faults.remove(f)
                    return f
        return None


class BaseFakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake"
    state = None  # set by serve()

    def log_message(self, *args):  # quiet
        pass

    # --- helpers ---------------------------------------------------------------------------
    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send_raw(self, status, body=b"", headers=None, content_type="application/json; charset=utf-8"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if content_type and not any(k.lower() == "content-type" for k in (headers or {})):
            self.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        self.send_raw(status, json.dumps(obj), headers)

    # --- dispatch --------------------------------------------------------------------------
    def _handle(self):
        body = self.read_body()
        self.body = body
        if self.path.startswith("/_fake/"):
            return self._control(body)
        line = f"{self.command} {self.path}"
        with self.state.lock:
            self.state.log.append({"method": self.command, "path": self.path,
                                   "headers": dict(self.headers.items()),
                                   "body": body.decode("utf-8", "replace")})
        fault = self.state.take_fault(line)
        if fault and self._apply_fault(fault):
            return
        self.handle_request(body)

    def _apply_fault(self, f):
        """Returns True when the fault answered the request."""
        if f.get("delay"):
            time.sleep(float(f["delay"]))
        kind = f.get("fault")
        if kind == "close":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if kind == "truncate":
            payload = b'{"truncated": "' + b"x" * 50
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload) + 100))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if kind in ("cut", "reset"):
            head, body = self._real_answer()
            part = body[:cut_point(body, f)]
            if kind == "cut":
                head = b"\r\n".join(b"Content-Length: %d" % len(part) if h.lower().startswith(b"content-length:")
                                     else h for h in head.split(b"\r\n"))
            self.wfile.write(head + b"\r\n\r\n" + part)
            self.wfile.flush()
            self.close_connection = True
            if kind == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return True
        if kind == "garbage":
            self.send_raw(f.get("status", 200), b"<html>not json{", content_type="application/json")
            return True
        if "status" in f:
            body = f.get("body", "")
            if not isinstance(body, (str, bytes)):
                body = json.dumps(body)
            self.send_raw(f["status"], body, f.get("headers"))
            return True
        return False  # a pure delay: answer normally

    def _real_answer(self):
        """What handle_request would send, as (status line and headers, body)."""
        sink, self.wfile = self.wfile, io.BytesIO()
        try:
            self.handle_request(self.body)
            raw = self.wfile.getvalue()
        finally:
            self.wfile = sink
        head, _, body = raw.partition(b"\r\n\r\n")
        return head, body

    def _control(self, body):
        if self.path == "/_fake/faults" and self.command == "POST":
            with self.state.lock:
                self.state.faults.extend(json.loads(body or b"[]"))
            return self.send_json(200, {"ok": True})
        if self.path == "/_fake/requests":
            with self.state.lock:
                return self.send_json(200, list(self.state.log))
        if self.path == "/_fake/reset" and self.command == "POST":
            with self.state.lock:
                self.state.log.clear()
                self.state.faults.clear()
            return self.send_json(200, {"ok": True})
        return self.send_json(404, {"error": "unknown control path"})

    def handle_request(self, body):  # override
        self.send_json(404, {"error": "not implemented"})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

    def do_LIST(self):  # Vault's LIST verb
        self._handle()


def parse_args(argv=None, extra=None):
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--max-seconds", type=float, default=600.0)
    if extra:
        extra(p)
    return p.parse_args(argv)


def serve(handler_class, state, args):
    handler_class.state = state
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_class)
    server.daemon_threads = True
    scheme = "http"
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Timer(args.max_seconds, lambda: os._exit(0)).start()
    print(f"READY {server.server_address[1]} {scheme}", flush=True)
    server.serve_forever()
