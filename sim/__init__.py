"""Simulated Zoom and Microsoft 365 servers for local runs and tests (never deployed)."""
