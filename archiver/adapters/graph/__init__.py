"""The Microsoft Graph mail client."""

from archiver.adapters.graph.client import GraphClient, odata_quote

__all__ = ["GraphClient", "odata_quote"]
