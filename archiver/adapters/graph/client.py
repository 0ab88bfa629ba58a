"""Microsoft Graph mail operations the archiver needs, including resumable upload sessions."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from archiver.adapters.graph.auth import MsalTokenProvider, TokenProvider, token_roles
from archiver.adapters.graph.transport import (
    Transport,
)
from archiver.adapters.graph.uploads import Uploads
from archiver.adapters.retry import utcnow
from archiver.core.keys import MEETING_KEY_PROPERTY_ID
from archiver.core.mapping import Mailbox
from archiver.errors import (
    InvalidInputError,
    MailboxUnavailableError,
    ServiceUnavailableError,
)

FOLDER_EXISTS = "ErrorFolderExists"


def odata_quote(value: str) -> str:
    """A string literal for an OData $filter (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


class GraphClient:
    """Folders, items and attachments in mailboxes, as an app with Mail.ReadWrite."""

    def __init__(
        self,
        *,
        graph_url: str,
        authority_host: str,
        tenant_id: str,
        client_id: str,
        client_secret: str | None = None,
        client_certificate_pem: str | None = None,
        client_assertion: Callable[[], str] | None = None,
        timeout: float = 60,
        max_attempts: int = 6,
        mailbox_concurrency: int = 4,
        session: requests.Session | None = None,
        token_provider: TokenProvider | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self._base = graph_url.rstrip("/")
        provider = token_provider or MsalTokenProvider(
            authority_host=authority_host,
            tenant_id=tenant_id,
            client_id=client_id,
            graph_url=graph_url,
            client_secret=client_secret,
            client_certificate_pem=client_certificate_pem,
            client_assertion=client_assertion,
            timeout=timeout,
        )
        self._token = provider
        self._http = Transport(
            token=provider,
            timeout=timeout,
            max_attempts=max_attempts,
            mailbox_concurrency=mailbox_concurrency,
            session=session,
            sleep=sleep,
            now=now,
            rng=rng,
        )
        self._uploads = Uploads(
            self._http, timeout=timeout, max_attempts=max_attempts, sleep=sleep, now=now
        )

    def _user(self, mailbox: str) -> str:
        # `mailbox` is the user's directory object id (or UPN): Graph paths take nothing else,
        # a mail address that differs from the UPN answers 404.
        return f"{self._base}/users/{quote(mailbox, safe='@')}"

    def _values(
        self, url: str, *, mailbox: str | None, kind: str, params: dict[str, str]
    ) -> Iterator[dict[str, Any]]:
        """Every entry of a Graph list, following @odata.nextLink (absolute, params included)."""
        next_url: str | None = url
        query: dict[str, str] | None = params
        while next_url:
            body = self._http.request("GET", next_url, mailbox=mailbox, kind=kind, params=query)
            yield from body.get("value") or []
            link = body.get("@odata.nextLink")
            next_url, query = (str(link), None) if link else (None, None)

    def granted_roles(self) -> frozenset[str] | None:
        """The application permissions Entra consented (token `roles`); None if unreadable.

        Exchange RBAC for Applications grants never appear here: mail access is tested by
        calling a mailbox.
        """
        return token_roles(self._token.token())

    def call_counts(self) -> dict[str, int]:
        """Requests made, by kind (for benchmarks)."""
        return dict(self._http.calls)

    def find_mailbox(self, address: str) -> Mailbox | None:
        """The directory object behind an address: by UPN, then mail, then proxyAddresses."""
        select = "id,mail,userPrincipalName"
        try:
            user = self._http.request(
                "GET", self._user(address), mailbox=None, kind="user", params={"$select": select}
            )
            return _mailbox(user)
        except (MailboxUnavailableError, InvalidInputError) as error:
            # Not a UPN (404) or not a valid one (400): look it up by mail and proxyAddresses.
            if error.status not in (400, 404):
                raise
        for query in (
            f"mail eq {odata_quote(address)}",
            f"proxyAddresses/any(x:x eq {odata_quote('smtp:' + address)})",
        ):
            for user in self._values(
                f"{self._base}/users",
                mailbox=None,
                kind="user-filter",
                params={"$filter": query, "$select": select},
            ):
                found = _mailbox(user)
                if found is not None:
                    return found
        return None

    def ensure_folder(self, mailbox: str, display_name: str, *, parent: str = "inbox") -> str:
        """The id of the child folder of `parent`, created if it does not exist."""
        url = f"{self._user(mailbox)}/mailFolders/{parent}/childFolders"
        existing = self._find_folder(url, mailbox, display_name)
        if existing:
            return existing
        try:
            created = self._http.request(
                "POST",
                url,
                mailbox=mailbox,
                kind="folder-create",
                json={"displayName": display_name},
            )
            return str(created["id"])
        except InvalidInputError as error:
            # Another worker created it meanwhile: 400 in most tenants, 409 in some.
            if error.code != FOLDER_EXISTS:
                raise
        found = self._find_folder(url, mailbox, display_name)
        if not found:
            raise ServiceUnavailableError(
                "folder exists but cannot be found yet", service="graph", mailbox=mailbox
            )
        return found

    def _find_folder(self, url: str, mailbox: str, name: str) -> str | None:
        params = {"$filter": f"displayName eq {odata_quote(name)}", "$select": "id,displayName"}
        for folder in self._values(url, mailbox=mailbox, kind="folder-find", params=params):
            return str(folder["id"])
        return None

    def find_item(self, mailbox: str, folder_id: str, item_key: str) -> str | None:
        """The id of the item tagged with this key in the folder, if any."""
        query = (
            f"singleValueExtendedProperties/Any(ep: ep/id eq "
            f"{odata_quote(MEETING_KEY_PROPERTY_ID)} and ep/value eq {odata_quote(item_key)})"
        )
        body = self._http.request(
            "GET",
            f"{self._user(mailbox)}/mailFolders/{folder_id}/messages",
            mailbox=mailbox,
            kind="item-find",
            params={"$filter": query, "$select": "id", "$top": "2"},
        )
        values = body.get("value", [])
        return str(values[0]["id"]) if values else None

    def create_item(self, mailbox: str, folder_id: str, message: dict[str, Any] | bytes) -> str:
        """Create the item in the folder (message as a dict or already JSON-encoded); its id."""
        encoded = message if isinstance(message, bytes) else json.dumps(message).encode()
        body = self._http.request(
            "POST",
            f"{self._user(mailbox)}/mailFolders/{folder_id}/messages",
            mailbox=mailbox,
            kind="item-create",
            data=encoded,
            idempotent=False,
        )
        return str(body["id"])

    def list_attachments(self, mailbox: str, message_id: str) -> list[dict[str, Any]]:
        """Name, size and id of each attachment (no content), every page of them."""
        return list(
            self._values(
                f"{self._user(mailbox)}/messages/{message_id}/attachments",
                mailbox=mailbox,
                kind="attachment-list",
                params={"$select": "id,name,size"},
            )
        )

    def add_attachment(
        self, mailbox: str, message_id: str, *, name: str, content_type: str, data: bytes
    ) -> str:
        """Attach a file under 3 MB."""
        import base64

        body = self._http.request(
            "POST",
            f"{self._user(mailbox)}/messages/{message_id}/attachments",
            mailbox=mailbox,
            kind="attachment-add",
            idempotent=False,
            json={
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": name,
                "contentType": content_type,
                "contentBytes": base64.b64encode(data).decode(),
            },
        )
        return str(body.get("id", ""))

    def upload_attachment(
        self,
        mailbox: str,
        message_id: str,
        *,
        name: str,
        content_type: str,
        size: int,
        read: Callable[[int, int], bytes],
    ) -> str:
        """Attach a 3-150 MB file through an upload session, resuming after failed chunks."""
        return self._uploads.upload(
            f"{self._user(mailbox)}/messages/{message_id}/attachments/createUploadSession",
            mailbox=mailbox,
            name=name,
            content_type=content_type,
            size=size,
            read=read,
            attached=lambda: any(
                a.get("name") == name for a in self.list_attachments(mailbox, message_id)
            ),
        )


def _mailbox(user: dict[str, Any]) -> Mailbox | None:
    if not user.get("id"):
        return None
    address = str(user.get("mail") or user.get("userPrincipalName") or "").lower()
    return Mailbox(str(user["id"]), address)
