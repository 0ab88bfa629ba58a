"""The Zoom API client."""

from archiver.zoom.client import ZoomClient, encode_uuid

__all__ = ["ZoomClient", "encode_uuid"]
