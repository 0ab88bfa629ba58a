"""HTTP triggers on 127.0.0.1:7071/api/<route>, with function-key auth as in Azure."""

from __future__ import annotations

import hmac
import logging
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import azure.functions as func

from archiver.host.loader import Function

log = logging.getLogger("archiver.host")


def route_regex(route: str) -> re.Pattern[str]:
    """A regex for a Functions route template like "zoom/webhook" or "items/{id}"."""
    parts = re.split(r"(\{[^}]+\})", route.strip("/"))
    body = "".join(
        f"(?P<{p[1:-1].split(':')[0].rstrip('?')}>[^/]+)" if p.startswith("{") else re.escape(p)
        for p in parts
        if p
    )
    return re.compile(f"^/api/{body}/?$")


class HttpHost:
    """Serves every HTTP-triggered function of the app."""

    def __init__(
        self, functions: list[Function], *, port: int, key: str, stats: Callable[[str], Any]
    ) -> None:
        self._routes = [(route_regex(str(f.binding.get("route") or f.name)), f) for f in functions]
        self._key = key
        self._stats = stats
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.dispatch(self)

            def do_POST(self) -> None:
                host.dispatch(self)

            def do_PUT(self) -> None:
                host.dispatch(self)

            def do_DELETE(self) -> None:
                host.dispatch(self)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug(format, *args)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def dispatch(self, request: BaseHTTPRequestHandler) -> None:
        """Route, authorise, invoke, answer."""
        parts = urlsplit(request.path)
        query = dict(parse_qsl(parts.query))
        match, function = next(
            ((m, f) for r, f in self._routes if (m := r.match(parts.path))), (None, None)
        )
        if function is None or match is None:
            return self._reply(request, 404, b"")
        methods = [
            str(getattr(m, "value", m)).upper()
            for m in function.binding.get("methods") or ["GET", "POST"]
        ]
        if request.command not in methods:
            return self._reply(request, 405, b"")
        level = str(
            getattr(
                function.binding.get("authLevel"),
                "value",
                function.binding.get("authLevel") or "function",
            )
        ).lower()
        given = request.headers.get("x-functions-key") or query.get("code", "")
        if level != "anonymous" and not hmac.compare_digest(given.encode(), self._key.encode()):
            log.warning(
                "HTTP %s %s refused: missing or wrong function key", request.command, parts.path
            )
            return self._reply(request, 401, b"")
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        stats = self._stats(function.name)
        stats.add(invocations=1)
        try:
            response = function.call(
                func.HttpRequest(
                    request.command,
                    f"http://127.0.0.1:{self.port}{request.path}",
                    headers=dict(request.headers.items()),
                    params=query,
                    route_params=match.groupdict(),
                    body=body,
                )
            )
        except Exception:
            stats.add(failed=1)
            log.exception("%s failed", function.name)
            return self._reply(request, 500, b"")
        stats.add(succeeded=1)
        headers = dict(response.headers)
        if response.mimetype:
            headers.setdefault("Content-Type", response.mimetype)
        return self._reply(request, response.status_code, response.get_body(), headers)

    @staticmethod
    def _reply(
        request: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        request.send_response(status)
        for name, value in (headers or {}).items():
            if name.lower() != "content-length":
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
