"""`check`'s reading of the Graph token: which consented roles it needs, which it warns about."""

from __future__ import annotations

import secrets

import jwt
import pytest

from archiver.adapters.graph.auth import token_roles
from archiver.errors import AuthenticationError
from archiver.operations.checks import graph_roles


def app_token(**claims: object) -> str:
    return jwt.encode({"aud": "https://graph.microsoft.com", **claims}, secrets.token_hex(32))


def test_the_roles_claim_is_read_from_an_app_token() -> None:
    assert token_roles(app_token(roles=["User.Read.All"])) == {"User.Read.All"}
    assert token_roles(app_token()) == frozenset()  # Entra omits the claim when none
    assert token_roles("opaque-token-not-a-jwt") is None


def test_user_read_all_or_a_wider_directory_role_is_enough() -> None:
    assert "User.Read.All consented" in graph_roles(frozenset({"User.Read.All"}))
    assert "WARNING" not in graph_roles(frozenset({"Directory.Read.All"}))


def test_without_a_directory_role_check_names_user_read_all() -> None:
    with pytest.raises(AuthenticationError, match=r"lacks User\.Read\.All"):
        graph_roles(frozenset({"Mail.Send"}))


def test_tenant_wide_mail_consent_is_reported_as_a_warning() -> None:
    answer = graph_roles(frozenset({"User.Read.All", "Mail.ReadWrite"}))
    assert "WARNING: Mail.ReadWrite is consented tenant-wide" in answer


def test_an_unreadable_token_leaves_the_test_to_the_mailbox_checks() -> None:
    assert "mailbox checks below" in graph_roles(None)
