"""Starts `python -m sim serve` as a subprocess and exposes its endpoints and control API."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class Simulators:
    """The simulated Zoom and Microsoft 365 for one test session (or the demo)."""

    def __init__(self, data: Path | None = None, timeout: float = 30) -> None:
        self._own = data is None
        self.data = data or Path(tempfile.mkdtemp(prefix="sim-"))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sim", "serve", "--data", str(self.data)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            err = self._process.stderr.read() if self._process.stderr else ""
            raise RuntimeError(f"simulators did not start: {err[-2000:]}")
        self.info: dict[str, str] = json.loads(line)
        self.control_url = self.info["control_url"]

    def env(self) -> dict[str, str]:
        """The app settings (and CA bundle) that point the archiver at the simulators."""
        i = self.info
        return {
            "REQUESTS_CA_BUNDLE": i["ca_bundle"],
            "ZOOM_API_URL": i["zoom_api_url"],
            "ZOOM_OAUTH_URL": i["zoom_oauth_url"],
            "ZOOM_ACCOUNT_ID": i["zoom_account_id"],
            "ZOOM_CLIENT_ID": i["zoom_client_id"],
            "ZOOM_CLIENT_SECRET": i["zoom_client_secret"],
            "ZOOM_WEBHOOK_SECRET": i["zoom_webhook_secret"],
            "GRAPH_URL": i["graph_url"],
            "GRAPH_AUTHORITY_HOST": i["authority_host"],
            "GRAPH_TENANT_ID": i["graph_tenant_id"],
            "GRAPH_CLIENT_ID": i["graph_client_id"],
            "GRAPH_CLIENT_SECRET": i["graph_client_secret"],
            "ZOOM_DOWNLOAD_HOSTS": "127.0.0.1,localhost",
        }

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call the control API; returns the parsed JSON answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.control_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def control_bytes(self, method: str, path: str) -> bytes:
        """Call the control API; returns the raw answer (attachment contents)."""
        request = urllib.request.Request(self.control_url + path, method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            return bytes(response.read())

    @property
    def pid(self) -> int:
        """The server's process id (benchmarks read its CPU time)."""
        return self._process.pid

    def stop(self) -> None:
        """SIGTERM, wait, clean up."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        for stream in (self._process.stdout, self._process.stderr):
            if stream:
                stream.close()
        if self._own:
            shutil.rmtree(self.data, ignore_errors=True)

    def __enter__(self) -> Simulators:
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()
