#!/usr/bin/env python3
"""A scripted loopback HTTP(S) server that injects faults, for the HTTP client's unit tests, and
for the end-to-end tests as a faulty proxy in front of a real server (moto).

Usage: faults.py --script JSON [--record FILE] [--tls CERT KEY]

It binds 127.0.0.1 on a free port, prints the port on stdout when ready, and serves until killed.
Python 3 standard library only.

The script maps request paths (without the query) to a list of responses; the n-th request to a
path gets the n-th response, and the last one repeats. A route may also be named by the request's
X-Amz-Target header (all AWS JSON calls are `POST /`). "*" is the fallback route.

    {"routes": {"/x": [{"status": 503}, {"status": 200, "body": "ok"}]}}
    {"upstream": "http://127.0.0.1:5000",
     "routes": {"secretsmanager.GetSecretValue": [{"status": 503}, {"proxy": true}]}}

With "upstream", a request that no route names, and a response {"proxy": true}, is forwarded to the
upstream server as it came (same headers, so a SigV4 signature still matches) and its answer is
relayed; a proxied response may carry a fault (below), applied to the upstream's answer.

A response may have:
  status (200), headers ({}), body (""), delay (seconds before the status line),
  dated_headers ({"Retry-After": 2}: an HTTP date that many seconds after the response is made),
  fault: "close"      close the connection without answering
         "truncate"   announce Content-Length = len(body) + 100, send body, close
         "reset"      send headers and half the body, then reset the connection (RST)
         "slow_body"  send headers, then the body one byte per `interval` seconds (0.2)
         "cut"        send only the body's first `keep` bytes (or up to the end of the text
                      `cut_after`; default half), with a matching
                      Content-Length: a complete response whose body is unusable

Every request is appended to the record file (JSON, one line each) before it is answered:
method, path (with query), headers, body, client_port, conn (a per-connection number),
inflight (requests being handled at that moment, this one included).
"""
import argparse
import http.client
import json
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, script, record):
        self.routes = script.get("routes", {})
        self.upstream = script.get("upstream")
        self.record = record
        self.lock = threading.Lock()
        self.counts = {}
        self.inflight = 0
        self.conn_seq = 0

    def next_response(self, path, target=None):
        key = next((k for k in (path, target, "*") if k in self.routes), None)
        seq = self.routes.get(key)
        if not seq:
            return {"proxy": True} if self.upstream else {"status": 404, "body": "no route"}
        with self.lock:
            n = self.counts.get(key, 0)
            self.counts[key] = n + 1
        return seq[min(n, len(seq) - 1)]

    def log(self, entry):
        if not self.record:
            return
        with self.lock, open(self.record, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so tests can see connection reuse

    def setup(self):
        super().setup()
        st = self.server.state
        with st.lock:
            st.conn_seq += 1
            self.conn_id = st.conn_seq

    def log_message(self, *args):  # quiet: the tests read the record file
        pass

    def handle_any(self):
        st = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with st.lock:
            st.inflight += 1
            inflight = st.inflight
        try:
            st.log({"method": self.command, "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": body.decode("utf-8", "replace"), "client_port": self.client_address[1],
                    "conn": self.conn_id, "inflight": inflight, "time": time.time()})
            r = st.next_response(self.path.split("?", 1)[0], self.headers.get("X-Amz-Target"))
            self.answer(self.forward(body, r) if r.get("proxy") else r)
        finally:
            with st.lock:
                st.inflight -= 1

    def forward(self, body, r):
        """The upstream's answer to this request, as a response entry (with r's fault and delay)."""
        up = urllib.parse.urlsplit(self.server.state.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        try:
            conn.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        skip = ("content-length", "transfer-encoding", "connection", "keep-alive", "server", "date")
        headers = {k: v for k, v in resp.getheaders() if k.lower() not in skip}
        return {**r, "status": resp.status, "headers": headers, "body": data}

    def answer(self, r):
        time.sleep(float(r.get("delay", 0)))
        fault = r.get("fault")
        if fault == "close":
            self.close_connection = True
            return
        body = r.get("body", "")
        body = body if isinstance(body, bytes) else body.encode("utf-8")
        if fault == "cut":
            marker = r.get("cut_after", "").encode()
            keep = body.index(marker) + len(marker) if marker and marker in body else int(r.get("keep", len(body) // 2))
            body = body[:keep]
        self.send_response(int(r.get("status", 200)))
        for k, v in r.get("headers", {}).items():
            self.send_header(k, v)
        for k, v in r.get("dated_headers", {}).items():
            self.send_header(k, formatdate(time.time() + float(v), usegmt=True))
        announced = len(body) + (100 if fault == "truncate" else 0)
        self.send_header("Content-Length", str(announced))
        self.end_headers()
        if fault == "reset":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if fault == "slow_body":
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(float(r.get("interval", 0.2)))
            return
        self.wfile.write(body)
        self.wfile.flush()
        if fault == "truncate":
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, state, tls):
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state
        self.tls = tls

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so that a client that
        # rejects the certificate cannot stall the accept loop.
        if self.tls:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):  # resets and aborted clients are expected
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", default="{}")
    ap.add_argument("--record")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    tls = None
    if args.tls:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls[0], args.tls[1])
    server = Server(State(json.loads(args.script), args.record), tls)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
