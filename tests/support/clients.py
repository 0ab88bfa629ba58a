"""The product's Zoom and Graph clients pointed at the simulators, as the tests build them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archiver.adapters.graph import GraphClient
from archiver.adapters.zoom import ZoomClient
from archiver.adapters.zoom.ratelimit import Limiter


def zoom_client(
    sims, *, sleep: Callable[[float], None] | None = None, limiter: Limiter | None = None
) -> ZoomClient:
    """A Zoom client with the simulator's credentials (sleeping for real unless told not to;
    limiting itself in process unless given a limiter)."""
    env = sims.env()
    return ZoomClient(
        api_url=env["ZOOM_API_URL"],
        oauth_url=env["ZOOM_OAUTH_URL"],
        account_id=env["ZOOM_ACCOUNT_ID"],
        client_id=env["ZOOM_CLIENT_ID"],
        client_secret=env["ZOOM_CLIENT_SECRET"],
        download_hosts=("127.0.0.1", "localhost"),
        limiter=limiter,
        **({"sleep": sleep} if sleep is not None else {}),
    )


def graph_app(sims) -> dict[str, str]:
    """The simulated tenant's app registration, as GraphClient and MsalTokenProvider take it."""
    env = sims.env()
    return {
        "graph_url": env["GRAPH_URL"],
        "authority_host": env["GRAPH_AUTHORITY_HOST"],
        "tenant_id": env["GRAPH_TENANT_ID"],
        "client_id": env["GRAPH_CLIENT_ID"],
    }


def graph_client(
    sims, *, sleep: Callable[[float], None] = lambda s: None, **credential: Any
) -> GraphClient:
    """A Graph client for the simulated tenant; the client secret unless a credential is given."""
    return GraphClient(
        **graph_app(sims),
        sleep=sleep,
        **(credential or {"client_secret": sims.env()["GRAPH_CLIENT_SECRET"]}),
    )
