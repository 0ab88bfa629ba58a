"""The simulated Zoom account."""

from sim.core.http import Router
from sim.zoom import control
from sim.zoom.api import ZoomSim


def register_control(sim: ZoomSim, router: Router) -> None:
    """Add the Zoom control routes."""
    control.register(sim, router)


__all__ = ["ZoomSim", "register_control"]
