"""Real services on 127.0.0.1 that checks point a learner's app at (exported by
`fastlings.testing`): the app's outgoing HTTP calls then cross a real socket."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RatesService(ThreadingHTTPServer):
    """An exchange-rates service: `GET /rates/<CURRENCY>` answers 200 with
    `{"currency": ..., "rate": ...}` from `rates` (404 for any other path), after waiting
    `delay` seconds in its own thread; `calls` counts the GETs, `url` is its base URL."""

    daemon_threads = True
    request_queue_size = 64  # the default backlog of 5 drops concurrent connects (1 s retry)

    def __init__(self, rates: dict[str, float]) -> None:
        super().__init__(("127.0.0.1", 0), _RatesHandler)
        self.rates = rates
        self.delay = 0.0
        self.calls = 0

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _RatesHandler(BaseHTTPRequestHandler):
    server: RatesService

    def do_GET(self) -> None:  # the name http.server dispatches GET requests to
        self.server.calls += 1
        time.sleep(self.server.delay)  # the service thinks; this thread is the service's
        currency = self.path.rstrip("/").rsplit("/", 1)[-1]
        if not self.path.startswith("/rates/") or currency not in self.server.rates:
            self.send_error(404)
            return
        body = json.dumps({"currency": currency, "rate": self.server.rates[currency]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the check's output clean


@contextmanager
def serve_rates(rates: dict[str, float]) -> Iterator[RatesService]:
    """`with serve_rates({"EUR": 0.5}) as service:` a `RatesService` answering on a free port
    until the block ends (then shut down and closed)."""
    server = RatesService(rates)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
