"""Test stand-in for a stray process: listens on a port (or connects to one) and holds it."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import time

LIFETIME = 120.0  # exit on its own eventually, even if a test forgets it


def main() -> None:
    """Listen on (or with --connect, connect to) 127.0.0.1:PORT and hold it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--connect", action="store_true", help="be a client, not a listener")
    parser.add_argument("--fork", action="store_true", help="listen in a forked worker")
    parser.add_argument("--ignore-term", action="store_true")
    args = parser.parse_args()
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.connect:
        with socket.create_connection(("127.0.0.1", args.port)):
            print("connected", flush=True)
            time.sleep(LIFETIME)
        return
    if args.fork:
        worker = os.fork()
        if worker:
            print(f"worker {worker}", flush=True)
            os.waitpid(worker, 0)
            time.sleep(LIFETIME)
            return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", args.port))
        sock.listen()
        print(f"listening {os.getpid()}", flush=True)
        sock.settimeout(LIFETIME)
        held = []
        while True:
            conn, _ = sock.accept()
            held.append(conn)


if __name__ == "__main__":
    main()
