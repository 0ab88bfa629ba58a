"""Untrusted identifiers checked before they reach a header, a path or a Graph recipient (pure).

Email addresses must be an RFC 5322 addr-spec in its dot-atom form (what Exchange accepts for a
recipient); quoted local parts, comments, display names, domain literals and anything with
whitespace, angle brackets or commas are refused, so "a@b.com>, evil@x.com" can never become two
recipients. "=?" is refused too: it is atext, but the stdlib renders a local part that looks like
an RFC 2047 encoded word decoded, so "=?utf-8?q?evil=40x.com?=@contoso.com" would be written as
"evil@x.com@contoso.com". Ids used in blob names and file paths must be of a small safe alphabet.
"""

from __future__ import annotations

import hashlib
import re

from archiver.errors import InvalidInputError

# RFC 5322 section 3.2.3 atext, dot-atom = atext+ *("." atext+); RFC 5321 limits the lengths.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATEXT}(\.{_ATEXT})*")
# A host name: labels of letters, digits and inner hyphens; at least two labels.
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(\.{_LABEL})+")
MAX_LOCAL = 64
MAX_ADDRESS = 254
# A meeting UUID: printable, without spaces or controls (Zoom's are 24 base64 characters, and
# may hold "/" and "+"); nothing that cannot be encoded (half a UTF-16 pair).
_MEETING_UUID = re.compile(r"[^\x00-\x20\x7f-\x9f\ud800-\udfff]{1,200}")
# Ids that may become part of a blob name or a temporary file name as they are.
_SAFE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


def is_addr_spec(value: str) -> bool:
    """True for an email address Exchange accepts as a recipient (dot-atom addr-spec)."""
    if not value or len(value) > MAX_ADDRESS or value.count("@") != 1 or "=?" in value:
        return False
    local, _, domain = value.partition("@")
    return (
        len(local) <= MAX_LOCAL
        and _LOCAL.fullmatch(local) is not None
        and _DOMAIN.fullmatch(domain) is not None
    )


def email_address(value: str, where: str) -> str:
    """The address lowercased; InvalidInputError naming `where` and the value when invalid."""
    address = value.strip().lower()
    if not is_addr_spec(address):
        raise InvalidInputError(f"{where}: not a valid email address ({value[:80]!r})")
    return address


def is_safe_id(value: str) -> bool:
    """True when the id can be used in a blob name or a file path unchanged."""
    return _SAFE_ID.fullmatch(value) is not None and ".." not in value


def is_meeting_uuid(value: object) -> bool:
    """True for text that can be a Zoom meeting UUID (and so a key, a header, a URL part)."""
    return isinstance(value, str) and _MEETING_UUID.fullmatch(value) is not None


def derived_id(*parts: str) -> str:
    """A stable safe id from what is known of a thing that has no usable id of its own."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"d-{digest[:30]}"
