"""The local Azure Functions host (development and single machine; not deployed)."""
