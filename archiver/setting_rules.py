"""The shapes app settings must have (pure): each check names the setting and the bad value."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from archiver.core import ncrontab
from archiver.core.addresses import is_addr_spec
from archiver.errors import ConfigurationError

_DOMAIN = re.compile(r"^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$")
_HOST = re.compile(r"^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Azure queue / container naming rules: 3-63 chars, lowercase letters, digits, single hyphens.
_STORAGE_NAME = re.compile(r"^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")
_TABLE_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,40}$")


def https_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigurationError(f"{name} must be an https:// URL; got {value!r}")
    return value.rstrip("/")


def is_email(value: str) -> bool:
    """True for an email address Exchange accepts (an RFC 5322 dot-atom addr-spec)."""
    return is_addr_spec(value)


TRUE_WORDS = ("true", "on", "yes", "1")
FALSE_WORDS = ("false", "off", "no", "0")


def flag(name: str, value: str) -> bool:
    """A switch: true/false (also on/off, yes/no, 1/0), any case."""
    word = value.strip().lower()
    if word not in TRUE_WORDS + FALSE_WORDS:
        raise ConfigurationError(f"{name} must be true or false; got {value!r}")
    return word in TRUE_WORDS


def email(name: str, value: str) -> str:
    if not is_addr_spec(value):
        raise ConfigurationError(f"{name} must be an email address; got {value!r}")
    return value.lower()


def domain(name: str, value: str) -> str:
    if not _DOMAIN.match(value) or value.startswith("*."):
        raise ConfigurationError(f"{name} must list domain names like contoso.com; got {value!r}")
    return value


def host_pattern(name: str, value: str) -> str:
    if not _HOST.match(value):
        raise ConfigurationError(f"{name} must list host names or *.suffix patterns; got {value!r}")
    return value


def guid(name: str, value: str) -> str:
    if not _GUID.match(value):
        raise ConfigurationError(f"{name} must be a GUID; got {value!r}")
    return value.lower()


def tenant(name: str, value: str) -> str:
    # A tenant is a GUID or a verified domain (contoso.onmicrosoft.com); both work in the authority.
    if _GUID.match(value) or _DOMAIN.match(value.lower()):
        return value.lower()
    raise ConfigurationError(f"{name} must be a tenant GUID or domain; got {value!r}")


def storage_name(name: str, value: str) -> str:
    if not _STORAGE_NAME.match(value):
        raise ConfigurationError(
            f"{name} must be 3-63 lowercase letters, digits or single hyphens; got {value!r}"
        )
    return value


def table_prefix(name: str, value: str) -> str:
    if not _TABLE_PREFIX.match(value):
        raise ConfigurationError(
            f"{name} must start with a letter and hold only letters and digits (max 41); "
            f"got {value!r}"
        )
    return value


def folder_name(name: str, value: str) -> str:
    if len(value) > 255 or any(ord(ch) < 32 for ch in value):
        raise ConfigurationError(
            f"{name} must be a folder name of at most 255 printable characters"
        )
    return value


def schedule(name: str, value: str) -> str:
    """A six-field NCRONTAB expression, parsed exactly as the local host parses timers (a value
    the host would refuse, such as '0 99 * * * *', is refused here, naming the setting)."""
    try:
        ncrontab.parse(value)
    except ConfigurationError as error:
        raise ConfigurationError(
            f"{name} must be a six-field NCRONTAB expression (second minute hour day month "
            f"day-of-week), e.g. '0 */15 * * * *'; {value!r}: {error}"
        ) from None
    return value


def check_pem(value: str) -> str:
    # App settings are single-line; admins often paste the PEM with literal "\n" escapes.
    pem = value.replace("\\n", "\n")
    if "PRIVATE KEY-----" not in pem or "BEGIN CERTIFICATE-----" not in pem:
        raise ConfigurationError(
            "GRAPH_CLIENT_CERTIFICATE must be a PEM holding both the private key "
            "and the certificate"
        )
    return pem
