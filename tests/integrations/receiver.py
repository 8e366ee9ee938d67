"""A real HTTP receiver on loopback that records webhook and chat deliveries: what it accepted (2xx) per
webhook-id, every attempt, and answers from a script (`answers`: statuses to give next, then 200)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self):
        self.accepted: list[dict] = []
        self.attempts: Counter = Counter()
        self.answers: list[int] = []
        self.hang_next = False
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("webhook-id") or json.loads(body or b"{}").get("text", "chat")
                with receiver.lock:
                    receiver.attempts[key] += 1
                    hang, receiver.hang_next = receiver.hang_next, False
                    status = receiver.answers.pop(0) if receiver.answers else 200
                if hang:  # the worker is mid-send; it is killed before we answer, then we fail
                    receiver.hanging.set()
                    while not receiver.release.is_set():
                        time.sleep(0.05)
                    status = 503
                if 200 <= status < 300:
                    with receiver.lock:
                        receiver.accepted.append({"headers": dict(self.headers), "body": body, "key": key})
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"no")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def per_key(self) -> Counter:
        with self.lock:
            return Counter(a["key"] for a in self.accepted)

    def reset(self) -> None:
        with self.lock:
            self.accepted.clear()
            self.attempts.clear()
            self.answers.clear()
            self.hang_next = False
            self.hanging, self.release = threading.Event(), threading.Event()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
