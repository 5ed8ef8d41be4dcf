"""A real HTTP server on 127.0.0.1 that answers like the arXiv query API, from recorded responses.

Each fixture in tests/fixtures/arxiv_atom is `{"url", "status_code", "body"}`. A request to `/api/query` is
matched on its `search_query`, `id_list`, `start` and `max_results` parameters (sortBy and sortOrder are
ignored); anything else gets a 404. Faults queued with `inject` are consumed one request at a time, in order.
Every request is recorded with the time it arrived, so tests can check rate limiting and caching.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_atom"
MATCH_PARAMS = ("search_query", "id_list", "start", "max_results")
Key = tuple[str, ...]


@dataclass
class Fault:
    status: int | None = None  # None: the recorded status (200 when a body is injected)
    body: str | None = None  # None: the recorded body (a short text when only a status is injected)
    delay: float = 0.0  # seconds to stall before answering
    retry_after: str | None = None


@dataclass
class RecordedRequest:
    path: str  # path and query, as sent
    params: dict[str, str]
    time: float  # time.monotonic() when the request arrived


def _params(query: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(query, keep_blank_values=True).items()}


def _key(params: dict[str, str]) -> Key:
    return tuple(params.get(name, "") for name in MATCH_PARAMS)


class ArxivFixtureServer:
    def __init__(self, fixtures_dir: Path = FIXTURES_DIR) -> None:
        self.responses: dict[Key, tuple[int, str]] = {}
        for path in sorted(fixtures_dir.glob("*.json")):
            recorded = json.loads(path.read_text(encoding="utf-8"))
            self.responses[_key(_params(urlsplit(recorded["url"]).query))] = (recorded["status_code"],
                                                                              recorded["body"])
        self.requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                arrived = time.monotonic()
                split = urlsplit(self.path)
                params = _params(split.query)
                with server._lock:
                    server.requests.append(RecordedRequest(self.path, params, arrived))
                    fault = server._faults.popleft() if server._faults else None
                if split.path != "/api/query":
                    self._send(404, "not found\n")
                    return
                status, body = server.responses.get(_key(params), (404, "no recorded response for this request\n"))
                if fault is not None:
                    if fault.delay and server._stopping.wait(fault.delay):
                        return
                    if fault.body is not None:
                        status, body = fault.status or 200, fault.body
                    elif fault.status is not None:
                        status, body = fault.status, f"injected HTTP {fault.status}\n"
                self._send(status, body, fault.retry_after if fault else None)

            def _send(self, status: int, body: str, retry_after: str | None = None) -> None:
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/atom+xml; charset=UTF-8")
                    self.send_header("Content-Length", str(len(data)))
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a stall longer than its timeout)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # a short poll interval: shutdown() waits for the serving loop to notice it
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def endpoint(self) -> str:
        """The query URL format for `ArxivTool(endpoint=...)`, like `arxiv.Client.query_url_format`."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/api/query?{{}}"

    def add_response(self, params: dict[str, str], body: str, status: int = 200) -> None:
        """Answer requests with these parameters (missing ones default as in arXiv: start=0, max_results=100)."""
        self.responses[_key({"start": "0", "max_results": "100", **params})] = (status, body)

    def recorded_body(self, **params: str) -> str:
        return self.responses[_key({"start": "0", "max_results": "100", **params})][1]

    def inject(self, *, status: int | None = None, body: str | None = None, delay: float = 0.0,
               retry_after: str | None = None, times: int = 1) -> None:
        with self._lock:
            self._faults.extend(Fault(status, body, delay, retry_after) for _ in range(times))

    def params(self, name: str) -> list[str]:
        """One request parameter of every request so far, in order."""
        return [request.params.get(name, "") for request in self.requests]

    def __enter__(self) -> "ArxivFixtureServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
