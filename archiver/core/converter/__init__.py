"""The pure converter: a Meeting becomes a message model, rendered as .eml or Graph JSON."""

from archiver.core.converter.content import ItemContent
from archiver.core.converter.message import Address, ArchiveMessage, AttachmentRef, build_message
from archiver.core.converter.render_out import to_eml, to_graph_json

__all__ = [
    "Address",
    "ArchiveMessage",
    "AttachmentRef",
    "ItemContent",
    "build_message",
    "to_eml",
    "to_graph_json",
]
