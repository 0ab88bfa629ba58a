"""The Zoom API client."""

from archiver.adapters.zoom.client import ZoomClient, encode_uuid

__all__ = ["ZoomClient", "encode_uuid"]
