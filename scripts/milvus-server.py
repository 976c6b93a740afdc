#!/usr/bin/env python3
"""Runs a Milvus server on loopback for the tests, from a PyPI package in the project's venvs:

    .venv-milvus/bin/python      scripts/milvus-server.py --kind standalone --dir DIR --port PORT   # milvus==2.3.5
    .venv-milvus-lite/bin/python scripts/milvus-server.py --kind lite       --dir DIR --port PORT   # milvus-lite 3.2.2

Prints `ready PORT` on standard output once the server accepts connections, then runs until SIGTERM or SIGINT, or
until its standard input closes (so that a test process that dies takes the server with it), and stops the server.
Milvus 2.3.5 picks its other ports (etcd, coordinators, metrics) free itself; milvus-lite binds 127.0.0.1 only.
"""
import argparse
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time


def wait_for_port(port: int, alive, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and alive():
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["standalone", "lite"], required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--remove-dir", action="store_true", help="delete DIR after the server stops")
    args = parser.parse_args()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def watch_stdin() -> None:
        sys.stdin.read()
        stop.set()

    if args.kind == "standalone":
        from milvus import MilvusServer

        server = MilvusServer()
        server.set_base_dir(args.dir)
        server.listen_port = args.port
        server.start()  # returns once the server's health check answers
        alive, shutdown = (lambda: server.running), server.stop
    else:
        process = subprocess.Popen(
            [sys.executable, "-m", "milvus_lite", "server", "--data-dir", args.dir, "--host", "127.0.0.1",
             "--port", str(args.port)],
            stdin=subprocess.DEVNULL)
        alive = lambda: process.poll() is None

        def shutdown() -> None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

        if not wait_for_port(args.port, alive, 120):
            shutdown()
            print("milvus-lite did not start", file=sys.stderr, flush=True)
            return 1
    print(f"ready {args.port}", flush=True)
    threading.Thread(target=watch_stdin, daemon=True).start()
    while not stop.wait(0.5):
        if not alive():
            print("the Milvus server exited", file=sys.stderr, flush=True)
            return 1
    shutdown()
    if args.remove_dir:
        shutil.rmtree(args.dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
