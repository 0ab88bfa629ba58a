"""The simulated Microsoft 365 tenant (Entra ID + Graph mail + Outlook upload host)."""

from sim.core.http import Router
from sim.m365 import control
from sim.m365.server import M365Sim


def register_control(sim: M365Sim, router: Router) -> None:
    """Add the Microsoft 365 control routes."""
    control.register(sim, router)


__all__ = ["M365Sim", "register_control"]
