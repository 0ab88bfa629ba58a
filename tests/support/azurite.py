"""Starts Azurite from node_modules on free ports with a temporary data folder."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "devstoreaccount1"
# Azurite's documented, public development key (not a secret).
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Azurite:
    """One Azurite process (blob, queue, table) for the lifetime of the object."""

    def __init__(self, location: Path | None = None) -> None:
        self._own_dir = location is None
        self.location = location or Path(tempfile.mkdtemp(prefix="azurite-"))
        self.location.mkdir(parents=True, exist_ok=True)
        self.blob_port, self.queue_port, self.table_port = free_port(), free_port(), free_port()
        self.start()

    def start(self) -> None:
        """Start the server (again, after halt(): same ports, same data)."""
        binary = ROOT / "node_modules" / ".bin" / "azurite"
        if not binary.exists():
            raise RuntimeError("Azurite is not installed: run `npm ci` (make setup does it)")
        self._process = subprocess.Popen(
            [
                str(binary),
                "--silent",
                "--skipApiVersionCheck",
                "--loose",
                # No usage data sent out (and no wait for it on exit: offline it never ends).
                "--disableTelemetry",
                "--location",
                str(self.location),
                "--blobPort",
                str(self.blob_port),
                "--queuePort",
                str(self.queue_port),
                "--tablePort",
                str(self.table_port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait()

    @property
    def connection_string(self) -> str:
        """An explicit connection string for this instance."""
        host = "http://127.0.0.1"
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
            f"BlobEndpoint={host}:{self.blob_port}/{ACCOUNT};"
            f"QueueEndpoint={host}:{self.queue_port}/{ACCOUNT};"
            f"TableEndpoint={host}:{self.table_port}/{ACCOUNT};"
        )

    def _wait(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        for port in (self.blob_port, self.queue_port, self.table_port):
            while True:
                if self._process.poll() is not None:
                    err = self._process.stderr.read().decode() if self._process.stderr else ""
                    raise RuntimeError(f"Azurite exited: {err[-500:]}")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError(f"Azurite did not listen on {port}") from None
                    time.sleep(0.1)

    @property
    def pid(self) -> int:
        """The server's process id (benchmarks read its CPU time)."""
        return self._process.pid

    def halt(self) -> None:
        """Stop the server, keeping its data (an outage; start() ends it)."""
        if self._process.poll() is None:
            self._process.terminate()  # Azurite saves its data on SIGTERM
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()

    def stop(self) -> None:
        """Stop the process and remove a temporary data folder."""
        self.halt()
        if self._own_dir:
            shutil.rmtree(self.location, ignore_errors=True)

    def __enter__(self) -> Azurite:
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()
