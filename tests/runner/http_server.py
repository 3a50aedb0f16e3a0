"""Tiny real HTTP server for the server tests and the lifecycle benchmark."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path


def main() -> None:
    """Serve GET with a fixed status on 127.0.0.1:PORT, after optional delay or crash."""
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before binding")
    parser.add_argument("--status", type=int, default=200, help="status of every answer")
    parser.add_argument("--ignore-term", action="store_true")
    parser.add_argument("--stamp", type=Path, help="write time.time() here right after listen")
    parser.add_argument("--crash-lines", type=int, default=0, help="print N lines, then exit")
    parser.add_argument("--exit", type=int, default=3, help="exit code with --crash-lines")
    args = parser.parse_args()
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.crash_lines:
        for number in range(1, args.crash_lines + 1):
            print(f"crash line {number}", flush=True)
        sys.exit(args.exit)
    time.sleep(args.delay)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(args.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = HTTPServer(("127.0.0.1", args.port), Handler)  # binds and listens
    if args.stamp:
        listened = time.time()
        partial = args.stamp.with_name(args.stamp.name + ".tmp")
        partial.write_text(repr(listened))
        partial.replace(args.stamp)  # readers never see half a number
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
