"""The Microsoft 365 simulator's control routes (/m365/...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509

from sim.core.http import HttpError, Request, Response, Router, json_response
from sim.m365.entra import DEFAULT_CLIENT, DEFAULT_TENANT, App, ManagedIdentity
from sim.m365.mail import Mailbox, MailStore
from sim.m365.server import M365Sim


def register(sim: M365Sim, router: Router) -> None:
    """Add /m365/... routes to the control server."""
    store = sim.store

    def add_mailbox(req: Request) -> Response:
        """address (the user's mail), userPrincipalName (default: the address), displayName,
        proxyAddresses, enabled, quota_bytes, max_message_bytes (default 35 MB)."""
        doc = req.json()
        box = store.add(
            doc["address"],
            doc.get("displayName", doc["address"]),
            list(doc.get("proxyAddresses", [])),
            bool(doc.get("enabled", True)),
            upn=doc.get("userPrincipalName"),
        )
        box.quota_bytes = doc.get("quota_bytes")
        if doc.get("max_message_bytes"):
            box.max_message_bytes = int(doc["max_message_bytes"])
        return json_response(201, _mailbox(box))

    def list_mailboxes(req: Request) -> Response:
        with store.lock:
            return json_response(
                200, {"mailboxes": [_mailbox(b) for b in store.mailboxes.values()]}
            )

    def folders(req: Request) -> Response:
        box = _lookup(store, req.params["address"])
        return json_response(
            200,
            {
                "folders": [
                    {"id": f["id"], "displayName": f["displayName"], "parent": f["parent"]}
                    for f in box.folders.values()
                ]
            },
        )

    def items(req: Request) -> Response:
        box = _lookup(store, req.params["address"])
        wanted = req.arg("folder")
        ids = {
            f["id"] for f in box.folders.values() if wanted is None or f["displayName"] == wanted
        }
        with store.lock:
            found = [i for i in box.items.values() if i["folder"] in ids]
        return json_response(200, {"items": [_item(i) for i in found]})

    def expire(req: Request) -> Response:
        sim.entra.expire_all()
        return json_response(200, {"expired": True})

    def settings(req: Request) -> Response:
        doc = req.json() or {}
        limits = store.limits
        mapping = {
            "concurrency_limit": "concurrency",
            "mailbox_request_budget": "requests_per_10min",
            "upload_bytes_budget": "upload_bytes_per_5min",
            "folder_exists_status": "folder_exists_status",
            "session_lifetime_s": "session_lifetime_s",
            "latency_ms": "latency_ms",
        }
        for name, attribute in mapping.items():
            if name in doc:
                setattr(limits, attribute, int(doc[name]))
        if "token_lifetime_s" in doc:
            sim.entra.token_lifetime_s = int(doc["token_lifetime_s"])
        # The default app's permissions: Entra-consented roles and its Exchange RBAC scope.
        app = sim.entra.apps[(DEFAULT_TENANT, DEFAULT_CLIENT)]
        permissions = _permissions(app, doc, prefix="app_")
        return json_response(200, {**vars(limits), **permissions})

    router.add("POST", "/m365/mailboxes", add_mailbox)
    router.add("GET", "/m365/mailboxes", list_mailboxes)
    router.add("PATCH", "/m365/mailboxes/{address}", lambda req: _patch_mailbox(sim, req))
    router.add("GET", "/m365/mailboxes/{address}/folders", folders)
    router.add("GET", "/m365/mailboxes/{address}/items", items)
    router.add(
        "GET",
        "/m365/mailboxes/{address}/items/{item}/attachments/{attachment}/content",
        lambda req: _attachment_content(store, req),
    )
    router.add("POST", "/m365/tokens/expire", expire)
    router.add("PATCH", "/m365/settings", settings)
    router.add("POST", "/m365/apps", lambda req: _add_app(sim, req))
    router.add("GET", "/m365/apps/{client}", lambda req: _get_app(sim, req))
    router.add("PUT", "/m365/apps/{client}/federated", lambda req: _federate(sim, req))
    router.add("POST", "/m365/identities", lambda req: _add_identity(sim, req))


def _get_app(sim: M365Sim, req: Request) -> Response:
    """An app of the default tenant: its roles, mailbox scope and federated credentials."""
    app = sim.entra.apps.get((DEFAULT_TENANT, req.params["client"]))
    if app is None:
        return json_response(404, {"error": "no such app"})
    scope = None if app.mailbox_scope is None else sorted(app.mailbox_scope)
    return json_response(
        200,
        {
            "client_id": app.client_id,
            "roles": list(app.roles),
            "mailbox_scope": scope,
            "federated": app.federated,
        },
    )


def _federate(sim: M365Sim, req: Request) -> Response:
    """Replace the federated identity credentials of an app of the default tenant: a list of
    {"issuer", "subject", "audiences"} (empty: it trusts no one)."""
    app = sim.entra.apps.get((DEFAULT_TENANT, req.params["client"]))
    if app is None:
        return json_response(404, {"error": "no such app"})
    credentials = req.json() or []
    app.federated = [
        {"issuer": c["issuer"], "subject": c["subject"], "audiences": list(c["audiences"])}
        for c in credentials
    ]
    return json_response(200, {"federated": app.federated})


def _add_identity(sim: M365Sim, req: Request) -> Response:
    """Attach another user-assigned managed identity to the function app: client_id and
    principal_id (its object id, the subject of its tokens)."""
    doc = req.json()
    sim.entra.attach(ManagedIdentity(DEFAULT_TENANT, doc["client_id"], doc["principal_id"]))
    return json_response(201, {"attached": True})


def _add_app(sim: M365Sim, req: Request) -> Response:
    """Register another app: tenant, client_id, client_secret and/or certificate_pem, and
    optionally its roles and mailbox_scope (see _permissions)."""
    doc = req.json()
    certs = (
        [x509.load_pem_x509_certificate(doc["certificate_pem"].encode())]
        if doc.get("certificate_pem")
        else []
    )
    app = App(doc["tenant"], doc["client_id"], doc.get("client_secret"), certs)
    _permissions(app, doc)
    sim.entra.register(app)
    return json_response(201, {"registered": True})


def _lookup(store: MailStore, key: str) -> Mailbox:
    """A mailbox by mail address, UPN or id; 404 otherwise."""
    box = store.lookup(key)
    if box is None:
        raise HttpError(json_response(404, {"error": f"no mailbox {key}"}))
    return box


def _mailbox(box: Mailbox) -> dict[str, Any]:
    return {
        "address": box.address,
        "userPrincipalName": box.upn,
        "id": box.user_id,
        "items": len(box.items),
        "max_message_bytes": box.max_message_bytes,
    }


def _attachment_content(store: MailStore, req: Request) -> Response:
    """The raw bytes of one stored attachment (privacy checks read what was archived)."""
    box = _lookup(store, req.params["address"])
    with store.lock:
        item = box.items.get(req.params["item"])
        att = next(
            (a for a in (item or {}).get("attachments", []) if a["id"] == req.params["attachment"]),
            None,
        )
    if att is None:
        return json_response(404, {"error": "no such item or attachment"})
    return Response(200, Path(att["path"]).read_bytes(), {"Content-Type": att["contentType"]})


def _item(item: dict[str, Any]) -> dict[str, Any]:
    """An item for tests: its properties, body, recipients and attachments (id, name, size,
    content type, SHA-256)."""
    keep = (
        "id",
        "subject",
        "body",
        "from",
        "toRecipients",
        "ccRecipients",
        "bccRecipients",
        "isDraft",
        "internetMessageId",
        "internetMessageHeaders",
        "singleValueExtendedProperties",
        "createdDateTime",
        "receivedDateTime",
        "sentDateTime",
    )
    body = {k: item.get(k) for k in keep}
    body["attachments"] = [
        {
            "id": a["id"],
            "name": a["name"],
            "size": a["size"],
            "contentType": a["contentType"],
            "sha256": a["sha256"],
        }
        for a in item["attachments"]
    ]
    return body


def _permissions(app: App, doc: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Set an app's Entra roles and Exchange RBAC scope from `doc`; returns them as set.

    `<prefix>roles`: consented application permissions. `<prefix>mailbox_scope`: null for an
    organisation-wide RBAC assignment, else the addresses its management scope holds. Tokens
    issued before a change keep their old `roles` claim, as in Entra.
    """
    if f"{prefix}roles" in doc:
        app.roles = tuple(doc[f"{prefix}roles"])
    if f"{prefix}mailbox_scope" in doc:
        scope = doc[f"{prefix}mailbox_scope"]
        app.mailbox_scope = None if scope is None else frozenset(str(a).lower() for a in scope)
    return {
        f"{prefix}roles": list(app.roles),
        f"{prefix}mailbox_scope": None if app.mailbox_scope is None else sorted(app.mailbox_scope),
    }


def _patch_mailbox(sim: M365Sim, req: Request) -> Response:
    """quota_bytes (null: unlimited), enabled, max_message_bytes of one mailbox."""
    store = sim.store
    box = _lookup(store, req.params["address"])
    doc = req.json() or {}
    with store.lock:
        if "quota_bytes" in doc:  # null lifts the limit
            box.quota_bytes = doc["quota_bytes"]
        if "enabled" in doc:
            box.enabled = bool(doc["enabled"])
        if "max_message_bytes" in doc:
            box.max_message_bytes = int(doc["max_message_bytes"])
        answer = {
            "quota_bytes": box.quota_bytes,
            "used_bytes": box.used_bytes,
            "max_message_bytes": box.max_message_bytes,
        }
    return json_response(200, {"address": box.address, "enabled": box.enabled, **answer})
