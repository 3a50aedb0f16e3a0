"""A tiny real HTTP server for the runner's fixture suites: /healthz and a hit counter."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # http.server's naming
        if self.path == "/healthz":
            body = {"status": "ok", "run_token": os.environ.get("REGRESS_RUN_TOKEN")}
        elif self.path == "/hit":
            Handler.hits += 1
            body = {"hits": Handler.hits}
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        sys.stdout.write(f"{self.address_string()} {format % args}\n")
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before listening")
    parser.add_argument(
        "--daemon-worker",
        action="store_true",
        help="serve from a daemonised grandchild (fork, setsid, fork) that escapes the group",
    )
    args = parser.parse_args()
    time.sleep(args.delay)
    if args.daemon_worker and _daemonise():
        while True:  # the launcher stays, as a supervisor would; the daemon serves
            time.sleep(1)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on {args.port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    finally:
        server.server_close()


def _daemonise() -> bool:
    """Fork a daemon; True in the launcher, False in the daemon (which goes on to serve)."""
    if os.fork():
        return True
    os.setsid()
    if os.fork():
        os._exit(0)
    return False


if __name__ == "__main__":
    main()
