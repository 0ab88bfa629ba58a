"""The simulated Microsoft 365: Entra ID + Graph on one host, Outlook upload sessions on another."""

from __future__ import annotations

import base64
import binascii
import re
import threading
import uuid as uuidlib
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sim.core.http import (
    Counters,
    FaultInjector,
    Request,
    Response,
    Router,
    SimServer,
    json_response,
)
from sim.core.tls import LocalCA
from sim.m365.batch import Batch
from sim.m365.entra import (
    DEFAULT_CLIENT,
    DEFAULT_IDENTITY_CLIENT,
    DEFAULT_IDENTITY_PRINCIPAL,
    DEFAULT_ROLES,
    DEFAULT_SECRET,
    DEFAULT_TENANT,
    IDENTITY_HEADER,
    TOKEN_EXCHANGE,
    App,
    Entra,
    ManagedIdentity,
    make_certificate,
)
from sim.m365.mail import (
    Limits,
    Mailbox,
    MailStore,
    check_size,
    graph_error,
    public_attachment,
    public_item,
)
from sim.m365.uploads import MIN_UPLOAD, UploadSessions


class M365Sim(UploadSessions, Batch):
    """Entra + Graph mail for a tenant of simulated mailboxes."""

    def __init__(
        self, ca: LocalCA, faults: FaultInjector, counters: Counters, data_dir: Path
    ) -> None:
        self.ca, self.faults, self.counters = ca, faults, counters
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.store = MailStore(data_dir)
        self.entra = Entra()
        self.cert_path = data_dir / "graph-client.pem"
        self._default_app()
        self.sessions: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.graph: SimServer | None = None
        self.outlook: SimServer | None = None

    def _default_app(self) -> None:
        cert = make_certificate(self.cert_path)
        self.entra.register(App(DEFAULT_TENANT, DEFAULT_CLIENT, DEFAULT_SECRET, [cert]))
        self.entra.attach(
            ManagedIdentity(DEFAULT_TENANT, DEFAULT_IDENTITY_CLIENT, DEFAULT_IDENTITY_PRINCIPAL)
        )
        self.entra.apps[(DEFAULT_TENANT, DEFAULT_CLIENT)].federated = [self._default_federation()]

    def _default_federation(self) -> dict[str, Any]:
        """What postdeploy sets up: the app registration trusts the function app's identity."""
        return {
            "issuer": self.entra.issuer(DEFAULT_TENANT),
            "subject": DEFAULT_IDENTITY_PRINCIPAL,
            "audiences": [TOKEN_EXCHANGE],
        }

    def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        context = self.ca.server_context(["127.0.0.1", "localhost"])
        self.graph = SimServer(
            "m365",
            self._router(),
            host=host,
            port=port,
            ssl_context=context,
            faults=self.faults,
            counters=self.counters,
        )
        self.outlook = SimServer(
            "outlook",
            self._outlook_router(),
            host=host,
            public_host="localhost",
            ssl_context=context,
            faults=self.faults,
            counters=self.counters,
        )
        self.entra.base_url = self.graph.base_url
        self.graph.start()
        self.outlook.start()

    def stop(self) -> None:
        for server in (self.graph, self.outlook):
            if server:
                server.stop()

    def urls(self) -> dict[str, str]:
        assert self.graph is not None
        return {
            "graph_url": f"{self.graph.base_url}/v1.0",
            "authority_host": self.graph.base_url,
            "graph_tenant_id": DEFAULT_TENANT,
            "graph_client_id": DEFAULT_CLIENT,
            "graph_client_secret": DEFAULT_SECRET,
            "graph_client_certificate": str(self.cert_path),
            # The App Service managed identity endpoint, as the platform sets it for the app.
            "identity_endpoint": f"{self.graph.base_url}/msi/token",
            "identity_header": IDENTITY_HEADER,
            "graph_managed_identity_client_id": DEFAULT_IDENTITY_CLIENT,
        }

    def reset(self) -> None:
        with self.store.lock:
            self.store.mailboxes.clear()
            self.store.limits = Limits()
        with self._lock:
            self.sessions.clear()
        self.entra.expire_all()
        self.entra.token_lifetime_s = 3600
        app = self.entra.apps[(DEFAULT_TENANT, DEFAULT_CLIENT)]
        app.roles, app.mailbox_scope = DEFAULT_ROLES, None
        app.federated = [self._default_federation()]
        with self.entra.lock:
            self.entra.identities = {
                k: v for k, v in self.entra.identities.items() if k == DEFAULT_IDENTITY_CLIENT
            }

    # -- Graph ------------------------------------------------------------------------------
    def _router(self) -> Router:
        r = Router()
        r.not_found = lambda req: json_response(
            404,
            {
                "error": {
                    "code": "ResourceNotFound",
                    "message": "Resource not found for the segment.",
                }
            },
        )
        r.add("GET", "/{tenant}/v2.0/.well-known/openid-configuration", self.entra.discovery)
        r.add("POST", "/{tenant}/oauth2/v2.0/token", self.entra.token)
        r.add("GET", "/msi/token", self.entra.identity_token)
        g = "/v1.0/users/{user}"
        r.add("GET", "/v1.0/users", self.list_users)
        r.add("GET", g, self.get_user)
        r.add("GET", g + "/mailFolders/{folder}", self.get_folder)
        r.add("GET", g + "/mailFolders/{folder}/childFolders", self.list_children)
        r.add("POST", g + "/mailFolders/{folder}/childFolders", self.create_child)
        r.add("GET", g + "/mailFolders/{folder}/messages", self.list_messages)
        r.add("POST", g + "/mailFolders/{folder}/messages", self.create_message)
        r.add("GET", g + "/messages", self.list_messages)
        r.add("POST", g + "/messages", self.create_message)
        r.add("GET", g + "/messages/{mid}", self.get_message)
        r.add("GET", g + "/messages/{mid}/attachments", self.list_attachments)
        r.add("POST", g + "/messages/{mid}/attachments", self.add_attachment)
        r.add("GET", g + "/messages/{mid}/attachments/{aid}", self.get_attachment)
        r.add("POST", g + "/messages/{mid}/attachments/createUploadSession", self.create_session)
        r.add("POST", "/v1.0/$batch", self.batch)
        self.router = r
        return r

    def _authorised(self, req: Request) -> App:
        token = req.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        app = self.entra.app_for(token) if token else None
        if app is None:
            raise graph_error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid."
                if token
                else "Access token is empty.",
            )
        return app

    def _directory(self, req: Request) -> None:
        """Reading users needs a directory permission consented in Entra (User.Read.All)."""
        if not self._authorised(req).may_read_users():
            raise graph_error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            )

    def _box(self, req: Request) -> Mailbox:
        app = self._authorised(req)
        check_size(req)
        box = self.store.find(req.params["user"])
        if not app.may_open(box.address):
            # Outside the app's Exchange RBAC scope (and no tenant-wide Mail.ReadWrite).
            raise graph_error(
                403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
            )
        return box

    def _throttle(self, req: Request, box: Mailbox) -> AbstractContextManager[None]:
        """The mailbox's concurrency and budget checks for one request. Exchange's upload
        budget (150 MB per 5 minutes per app and mailbox) counts every upload-like request,
        PATCH, POST and PUT alike (Outlook service limits), by its body bytes."""
        uploaded = req.content_length if req.method in ("POST", "PATCH", "PUT") else 0
        return self.store.throttle(box, upload_bytes=uploaded)

    def _page(
        self,
        req: Request,
        items: list[Any],
        *,
        default: int,
        maximum: int,
        directory: bool = False,
    ) -> dict[str, Any]:
        """One page of a collection and, when more follow, an absolute `@odata.nextLink` on the
        Graph host. Outlook collections page by `$skip` and cap `$top` at their maximum
        (messages: default 10, 1 to 1000, Graph's list-messages page); directory collections
        page by an opaque `$skiptoken` and refuse a `$top` over theirs (users: default 100,
        "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.")."""
        raw = req.arg("$top")
        size = default
        if raw is not None:
            if not raw.isdigit() or int(raw) < 1 or (directory and int(raw) > maximum):
                code = "Request_UnsupportedQuery" if directory else "ErrorInvalidUrlQuery"
                raise graph_error(
                    400,
                    code,
                    f"Invalid page size specified: '{raw}'. "
                    f"Must be between 1 and {maximum} inclusive.",
                )
            size = min(int(raw), maximum)
        offset = _offset(req, directory)
        body: dict[str, Any] = {"value": items[offset : offset + size]}
        if offset + size < len(items):
            body["@odata.nextLink"] = self._next_link(req, offset + size, directory)
        return body

    def _next_link(self, req: Request, offset: int, directory: bool) -> str:
        assert self.graph is not None
        query = {k: v[0] for k, v in req.query.items() if k not in ("$skip", "$skiptoken")}
        if directory:
            query["$skiptoken"] = base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()
        else:
            query["$skip"] = str(offset)
        return f"{self.graph.base_url}{req.raw_path}?{urlencode(query, safe='$')}"

    def list_users(self, req: Request) -> Response:
        self._directory(req)
        text = (req.arg("$filter") or "").strip()
        mail = re.match(r"^(mail|userPrincipalName) eq '((?:[^']|'')*)'$", text, re.IGNORECASE)
        proxy = re.match(
            r"^proxyAddresses/any\((\w+):\1 eq '((?:[^']|'')*)'\)$", text, re.IGNORECASE
        )
        with self.store.lock:
            boxes = list(self.store.mailboxes.values())
        if mail:
            wanted = mail[2].replace("''", "'").lower()
            field = "address" if mail[1].lower() == "mail" else "upn"
            found = [b for b in boxes if getattr(b, field) == wanted]
        elif proxy:
            wanted = proxy[2].replace("''", "'").lower()
            found = [
                b for b in boxes if wanted in b.proxy_addresses or wanted == f"smtp:{b.address}"
            ]
        elif text:
            raise graph_error(400, "Request_UnsupportedQuery", "Unsupported query.")
        else:
            found = boxes
        users = [self._user_json(b) for b in found]
        return json_response(200, self._page(req, users, default=100, maximum=999, directory=True))

    @staticmethod
    def _user_json(b: Mailbox) -> dict[str, Any]:
        return {
            "id": b.user_id,
            "displayName": b.display_name,
            "mail": b.address,
            "userPrincipalName": b.upn,
            "proxyAddresses": [f"SMTP:{b.address}", *b.proxy_addresses],
        }

    def get_user(self, req: Request) -> Response:
        self._directory(req)
        box = self.store.directory_user(req.params["user"])
        if box is None:
            raise graph_error(
                404,
                "Request_ResourceNotFound",
                f"Resource '{req.params['user']}' does not exist or one of its "
                "queried reference-property objects are not present.",
            )
        return json_response(200, self._user_json(box))

    def get_folder(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            folder = self.store.folder(box, req.params["folder"])
            return json_response(200, {"id": folder["id"], "displayName": folder["displayName"]})

    def list_children(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            parent = self.store.folder(box, req.params["folder"])
            children = [
                f
                for f in box.folders.values()
                if f["parent"] == parent.get("well_known", parent["id"])
                or f["parent"] == parent["id"]
            ]
            text = (req.arg("$filter") or "").strip()
            if text:
                found = re.match(r"^displayName eq '((?:[^']|'')*)'$", text, re.IGNORECASE)
                if not found:
                    raise graph_error(400, "ErrorInvalidUrlQueryFilter", "Invalid filter.")
                name = found[1].replace("''", "'")
                children = [f for f in children if f["displayName"] == name]
            # Child folders page like other Outlook collections: 10 by default.
            folders = [{"id": f["id"], "displayName": f["displayName"]} for f in children]
            return json_response(200, self._page(req, folders, default=10, maximum=1000))

    def create_child(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            parent = self.store.folder(box, req.params["folder"])
            name = str((req.json() or {}).get("displayName", ""))
            if not name:
                raise graph_error(400, "ErrorInvalidRequest", "displayName is required.")
            with self.store.lock:
                if any(
                    f["displayName"].lower() == name.lower() and f["parent"] == parent["id"]
                    for f in box.folders.values()
                ):
                    raise graph_error(
                        self.store.limits.folder_exists_status,
                        "ErrorFolderExists",
                        "A folder with the specified name already exists.",
                    )
                folder = {"id": str(uuidlib.uuid4()), "displayName": name, "parent": parent["id"]}
                box.folders[folder["id"]] = folder
            return json_response(
                201, {"id": folder["id"], "displayName": name, "parentFolderId": parent["id"]}
            )

    def list_messages(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            folder = (
                self.store.folder(box, req.params["folder"]) if "folder" in req.params else None
            )
            items = [public_item(i) for i in self.store.query(box, folder, req.arg("$filter"))]
            return json_response(200, self._page(req, items, default=10, maximum=1000))

    def create_message(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            folder = self.store.folder(box, req.params.get("folder", "drafts"))
            if req.headers.get("Content-Type", "").startswith("text/plain"):
                item = self.store.create_message(box, folder, {}, from_mime=True)
            else:
                doc = req.json()
                if not isinstance(doc, dict):
                    raise graph_error(400, "ErrorInvalidRequest", "Expected a message object.")
                item = self.store.create_message(box, folder, doc)
            return json_response(201, public_item(item))

    def _item(self, box: Mailbox, mid: str) -> dict[str, Any]:
        item = box.items.get(mid)
        if item is None:
            raise graph_error(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        return item

    def get_message(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            return json_response(200, public_item(self._item(box, req.params["mid"])))

    def list_attachments(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            item = self._item(box, req.params["mid"])
            # Paged like the other Outlook collections (shared/reference/real-world-shapes.md
            # #18). msgraph-metadata#321 reports that the live service returns every attachment
            # at once and ignores $top: a client must cope with both.
            found = [public_attachment(a) for a in item["attachments"]]
            return json_response(200, self._page(req, found, default=10, maximum=1000))

    def get_attachment(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            item = self._item(box, req.params["mid"])
            att = next((a for a in item["attachments"] if a["id"] == req.params["aid"]), None)
            if att is None:
                raise graph_error(404, "ErrorItemNotFound", "Attachment not found.")
            return json_response(200, public_attachment(att, content=True))

    def add_attachment(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            item = self._item(box, req.params["mid"])
            doc = req.json() or {}
            data = base64.b64decode(doc.get("contentBytes", ""))
            if len(data) >= MIN_UPLOAD:
                raise graph_error(
                    413,
                    "RequestEntityTooLarge",
                    "Use an upload session for attachments of 3 MB or more.",
                )
            self.store.grow(box, item, len(data))
            self.store.reserve(box, len(data))
            path, sha = self.store.save_bytes(data)
            att = {
                "id": str(uuidlib.uuid4()),
                "name": doc.get("name", ""),
                "contentType": doc.get("contentType", "application/octet-stream"),
                "size": len(data),
                "path": path,
                "sha256": sha,
                "isInline": False,
            }
            item["attachments"].append(att)
            return json_response(201, public_attachment(att))


def _offset(req: Request, directory: bool) -> int:
    """Where a page starts: `$skip` (Outlook) or the `$skiptoken` this server issued."""
    if not directory:
        raw = req.arg("$skip") or "0"
        if not raw.isdigit():
            raise graph_error(400, "ErrorInvalidUrlQuery", "$skip must be a number.")
        return int(raw)
    token = req.arg("$skiptoken")
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    if not text.startswith("offset:") or not text[7:].isdigit():
        raise graph_error(400, "Request_BadRequest", "The skip token is not valid.")
    return int(text[7:])
