"""`python -m sim serve --data DIR` and `python -m sim seed --control URL`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import urllib.request
from pathlib import Path

from sim.core.http import (
    Counters,
    FaultInjector,
    Request,
    Response,
    Router,
    SimServer,
    json_response,
)
from sim.core.tls import LocalCA


def serve(args: argparse.Namespace) -> int:
    from sim.m365 import M365Sim
    from sim.m365 import register_control as m365_control
    from sim.zoom import ZoomSim
    from sim.zoom import register_control as zoom_control

    data = Path(args.data)
    ca = LocalCA.load_or_create(data / "ca")
    faults, counters = FaultInjector(), Counters()
    zoom = ZoomSim(ca, faults, counters, data / "zoom")
    m365 = M365Sim(ca, faults, counters, data / "m365")
    zoom.start(port=args.zoom_port)
    m365.start(port=args.m365_port)
    router = Router()
    router.add("GET", "/health", lambda req: json_response(200, {"ok": True}))

    def add_fault(req: Request) -> Response:
        try:
            return json_response(201, {"id": faults.add(req.json())})
        except ValueError as error:
            return json_response(400, {"error": str(error)})

    def reset(req: Request) -> Response:
        faults.clear()
        counters.reset()
        zoom.reset()
        m365.reset()
        return json_response(200, {"reset": True})

    router.add("POST", "/faults", add_fault)
    router.add("GET", "/faults", lambda req: json_response(200, {"faults": faults.list()}))
    router.add("DELETE", "/faults", lambda req: (faults.clear(), json_response(200, {}))[1])
    router.add("GET", "/counters", lambda req: json_response(200, counters.snapshot()))
    router.add("DELETE", "/counters", lambda req: (counters.reset(), json_response(200, {}))[1])
    router.add("POST", "/reset", reset)
    zoom_control(zoom, router)
    m365_control(m365, router)
    control = SimServer(
        "control", router, port=args.control_port, faults=FaultInjector(), counters=Counters()
    )
    control.start()
    print(
        json.dumps(
            {
                **zoom.urls(),
                **m365.urls(),
                "ca_bundle": str(ca.bundle_path),
                "control_url": control.base_url,
            }
        ),
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for server in (control, zoom, m365):
        server.stop()
    return 0


def _seed(args: argparse.Namespace) -> int:
    from sim.seed import seed

    _wait_for_control(args.control)
    return seed(args)


def _wait_for_control(url: str, timeout: float = 30) -> None:
    """Wait for `serve` to answer: `serve ... &` then `seed` in one shell must not race it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"the simulators' control API at {url} did not answer") from None
            time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the Zoom and Microsoft 365 simulators")
    p.add_argument("--data", required=True)
    p.add_argument("--zoom-port", type=int, default=0)
    p.add_argument("--m365-port", type=int, default=0)
    p.add_argument("--control-port", type=int, default=0)
    p.set_defaults(run=serve)
    p = sub.add_parser("seed", help="create a deterministic corpus through the control API")
    p.add_argument("--control", required=True)
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--meetings", type=int, default=60)
    p.add_argument("--recording-mb", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--internal-domain", default="contoso.com")
    p.add_argument("--external-domain", default="fabrikam.com")
    p.add_argument(
        "--max-receive-mb",
        type=float,
        default=150,
        help="MaxReceiveSize of every mailbox created (Exchange Online's default is 35; "
        "the admin guide raises archived mailboxes to 150)",
    )
    p.add_argument(
        "--content-sources",
        action="store_true",
        help="also enable archiving and seed an unrecorded meeting, a webinar with Q&A, polls "
        "and a survey, a summarized meeting and an archived meeting (see sim/seed_content.py)",
    )
    p.set_defaults(run=_seed)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
