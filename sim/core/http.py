"""A small threaded HTTP/1.1 server with routing, streaming bodies, fault injection and counters."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class HttpError(Exception):
    """Raised by handlers to answer with a ready response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass
class Response:
    """Status, headers and a body (bytes, or an iterable of chunks streamed as they come)."""

    status: int
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_length: int | None = None


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response."""
    return Response(
        status, json.dumps(obj).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


class Request:
    """An incoming request; the body is read on demand."""

    def __init__(self, handler: BaseHTTPRequestHandler, server_name: str) -> None:
        parts = urlsplit(handler.path)
        self.method = handler.command
        self.raw_path = parts.path
        self.path = unquote(parts.path)
        self.query = dict(parse_qs(parts.query, keep_blank_values=True).items())
        self.headers = handler.headers
        self.params: dict[str, str] = {}
        self.server_name = server_name
        self.client_host = handler.client_address[0]
        self.content_length = int(handler.headers.get("Content-Length") or 0)
        self.stream = handler.rfile
        self._body: bytes | None = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        """One query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def read_body(self) -> bytes:
        """The whole body (for small requests)."""
        if self._body is None:
            self._body = self.stream.read(self.content_length) if self.content_length else b""
        return self._body

    def json(self) -> Any:
        """The body as JSON; a 400 on bad JSON."""
        try:
            return json.loads(self.read_body() or b"null")
        except ValueError:
            raise HttpError(json_response(400, {"error": "invalid JSON body"})) from None


Handler = Callable[[Request], Response]


class Router:
    """Routes by method and path pattern; {name} is one raw segment, {name:path} the rest."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], str, Handler]] = []
        self.not_found: Handler = lambda req: json_response(404, {"error": "not found"})

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Register a handler."""
        parts = re.split(r"(\{\w+(?::path)?\})", pattern)
        regex = "".join(
            (f"(?P<{p[1:-6]}>.+)" if p.endswith(":path}") else f"(?P<{p[1:-1]}>[^/]+)")
            if p.startswith("{")
            else re.escape(p)
            for p in parts
        )
        self.routes.append((method, re.compile(f"^{regex}$"), pattern, handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Decorator form of add()."""

        def register(handler: Handler) -> Handler:
            self.add(method, pattern, handler)
            return handler

        return register

    def match(self, method: str, raw_path: str) -> tuple[Handler, dict[str, str], str] | None:
        """The handler, its captures (decoded once) and the route pattern."""
        allowed = False
        for route_method, regex, pattern, handler in self.routes:
            found = regex.match(raw_path)
            if found:
                allowed = True
                if route_method in (method, "*"):
                    return handler, {k: unquote(v) for k, v in found.groupdict().items()}, pattern
        if allowed:
            return (lambda req: json_response(405, {"error": "method not allowed"})), {}, raw_path
        return None


class Counters:
    """Requests per server and route, for tests and benchmarks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, int]] = {}

    def increment(self, server: str, method: str, route: str) -> None:
        with self._lock:
            bucket = self._counts.setdefault(server, {})
            key = f"{method} {route}"
            bucket[key] = bucket.get(key, 0) + 1

    def add(self, server: str, key: str) -> None:
        """Count one event under a free-form key (e.g. a Zoom rate-limit category)."""
        with self._lock:
            bucket = self._counts.setdefault(server, {})
            bucket[key] = bucket.get(key, 0) + 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {k: dict(v) for k, v in self._counts.items()}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class FaultInjector:
    """Rules that make matching requests fail: a status, a reset mid-body, or a stall."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[dict[str, Any]] = []
        self._next = 0

    def add(self, rule: dict[str, Any]) -> str:
        """Add a rule (server, method, path regex, action, status/body or text/headers/seconds,
        count)."""
        if rule.get("action") not in ("status", "reset", "stall"):
            raise ValueError("action must be status, reset or stall")
        re.compile(str(rule.get("path", ".*")))
        with self._lock:
            self._next += 1
            stored = {
                "server": "*",
                "method": "*",
                "path": ".*",
                "count": 1,
                "skip": 0,
                **rule,
                "id": str(self._next),
            }
            self._rules.append(stored)
            return stored["id"]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._rules]

    def check(self, server: str, method: str, path: str) -> dict[str, Any] | None:
        """The rule hitting this request, if any (consumes one of its count)."""
        with self._lock:
            for rule in self._rules:
                if rule["server"] not in ("*", server) or rule["method"] not in ("*", method):
                    continue
                if not re.search(rule["path"], path):
                    continue
                if rule["skip"] > 0:
                    rule["skip"] -= 1
                    continue
                rule["count"] -= 1
                if rule["count"] <= 0:
                    self._rules.remove(rule)
                return dict(rule)
        return None


class SimServer:
    """One HTTP(S) server in a background thread."""

    def __init__(
        self,
        name: str,
        router: Router,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        public_host: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        faults: FaultInjector,
        counters: Counters,
    ) -> None:
        self.name = name
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except (ConnectionError, ssl.SSLError, TimeoutError):
                    self.close_connection = True

            def do_any(self) -> None:
                sim.dispatch(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_any  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        scheme = "https" if ssl_context else "http"
        self.base_url = f"{scheme}://{public_host or host}:{self.port}"
        self._router, self._faults, self._counters = router, faults, counters
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        request = Request(handler, self.name)
        found = self._router.match(request.method, request.raw_path)
        route = found[2] if found else request.raw_path
        self._counters.increment(self.name, request.method, route)
        fault = self._faults.check(self.name, request.method, request.raw_path)
        if fault and fault["action"] == "stall":
            time.sleep(float(fault.get("seconds", 1)))
        elif fault and fault["action"] == "status":
            request.read_body()
            status, headers = int(fault.get("status", 503)), dict(fault.get("headers", {}))
            if "text" in fault:  # a plain-text body, as some services answer errors
                text = str(fault["text"]).encode()
                response = Response(status, text, {"Content-Type": "text/plain", **headers})
            else:
                body = fault.get("body", {"error": "injected fault"})
                response = json_response(status, body, headers)
            return self._write(handler, response)
        try:
            if found is None:
                response = self._router.not_found(request)
            else:
                request.params = found[1]
                response = found[0](request)
        except HttpError as error:
            response = error.response
        except Exception as error:  # a handler bug must not kill the server
            response = json_response(500, {"error": f"simulator error: {type(error).__name__}"})
        if request.content_length and request._body is None and not request.stream.closed:
            with contextlib.suppress(OSError):
                request.read_body()
        if fault and fault["action"] == "reset" and fault.get("before_headers"):
            # Done, but the connection drops before a byte of the answer: the client cannot
            # tell whether the request was carried out (a lost reply).
            _abort(handler)
            return None
        after = int(fault["after_bytes"]) if fault and fault["action"] == "reset" else None
        self._write(handler, response, reset_after=after)
        return None

    @staticmethod
    def _write(
        handler: BaseHTTPRequestHandler, response: Response, reset_after: int | None = None
    ) -> None:
        body = response.body
        chunks: Iterable[bytes] = [body] if isinstance(body, bytes) else body
        length = len(body) if isinstance(body, bytes) else response.content_length
        try:
            handler.send_response(response.status)
            for name, value in response.headers.items():
                handler.send_header(name, value)
            if length is not None:
                handler.send_header("Content-Length", str(length))
            else:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            sent = 0
            for chunk in chunks:
                if reset_after is not None and sent + len(chunk) >= reset_after:
                    handler.wfile.write(chunk[: max(0, reset_after - sent)])
                    handler.wfile.flush()
                    _abort(handler)
                    return
                handler.wfile.write(chunk)
                sent += len(chunk)
            if reset_after is not None:
                _abort(handler)
        except (ConnectionError, ssl.SSLError, TimeoutError):
            handler.close_connection = True


def _abort(handler: BaseHTTPRequestHandler) -> None:
    handler.close_connection = True
    try:
        handler.connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )
        handler.connection.close()
    except OSError:
        pass
