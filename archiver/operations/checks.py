"""`check`: validate settings and reach Zoom, Graph and storage, saying exactly what is missing."""

from __future__ import annotations

from collections.abc import Callable

from archiver.adapters.zoom.scopes import missing
from archiver.errors import ArchiverError, AuthenticationError, MailboxUnavailableError

Result = tuple[str, bool, str]


def run_checks(mailbox: str | None) -> list[Result]:
    """Each check's name, whether it passed, and what to do when it did not."""
    from archiver.bootstrap import Deps, environment_settings

    try:
        settings = environment_settings()
    except ArchiverError as error:
        return [("settings", False, str(error))]
    results: list[Result] = [("settings", True, "every setting is present and valid")]
    deps = Deps(settings)
    test_mailbox = mailbox or settings.fallback_mailbox
    found: list[str] = []  # the tested mailbox's directory id, once looked up

    def storage() -> str:
        deps.ledger.last_run()
        return "tables reachable"

    def zoom() -> str:
        next(iter(deps.zoom.list_users(status="active")), None)
        return zoom_scopes(getattr(deps.zoom, "granted_scopes", frozenset()))

    def graph_permissions() -> str:
        roles = getattr(deps.graph, "granted_roles", lambda: None)()
        return graph_roles(roles)

    def graph_mailbox() -> str:
        if not test_mailbox:
            raise ValueError("give --mailbox or set FALLBACK_MAILBOX to test a mailbox")
        mailbox_found = deps.graph.find_mailbox(test_mailbox)
        if mailbox_found is None:
            raise MailboxUnavailableError(f"{test_mailbox} is not a mailbox in this tenant")
        found.append(mailbox_found.id)
        return f"{test_mailbox} found ({mailbox_found.address}, id {mailbox_found.id})"

    def graph_folder() -> str:
        folder = deps.graph.ensure_folder(found[0], settings.archive_folder_name)
        return f"folder {settings.archive_folder_name!r} is available (id {folder[:12]}...)"

    checks: list[tuple[str, Callable[[], str]]] = [
        ("storage", storage),
        ("zoom", zoom),
        ("graph permissions", graph_permissions),
        ("graph mailbox", graph_mailbox),
        ("graph folder", graph_folder),
    ]
    for name, check in checks:
        try:
            results.append((name, True, check()))
        except AuthenticationError as error:
            results.append((name, False, f"{error} - {_hint(name)}"))
        except (ArchiverError, ValueError) as error:
            results.append((name, False, str(error)))
        if name == "graph mailbox" and not found:
            break  # no mailbox to test a folder in
    return results


def zoom_scopes(granted: frozenset[str]) -> str:
    """What the token's scopes allow; raises naming every required scope that is missing."""
    if not granted:
        return "token issued and users listed (Zoom did not list the token's scopes)"
    lacking = missing(granted)
    required = [n for n in lacking if n.required]
    if required:
        names = ", ".join(f"{n.granular} (or classic {n.classic}) for {n.call}" for n in required)
        raise AuthenticationError(
            f"the Zoom app lacks {len(required)} scope(s): {names}", service="zoom"
        )
    notes = [f"without {n.granular}, {n.without}" for n in lacking]
    return "; ".join(["token issued, every required scope granted", *notes])


DIRECTORY_ROLES = frozenset(
    {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
)
TENANT_WIDE_MAIL = frozenset({"Mail.ReadWrite", "Mail.ReadWrite.All"})


def graph_roles(roles: frozenset[str] | None) -> str:
    """What the Graph token's consented roles allow; raises when mailbox lookups would fail.

    Mail access normally comes from Exchange RBAC for Applications, which tokens never show, so
    a missing Mail.ReadWrite role is expected; a present one opens every mailbox.
    """
    if roles is None:
        return "the token's roles cannot be read; the mailbox checks below test access"
    if not roles & DIRECTORY_ROLES:
        raise AuthenticationError(
            "the Graph app lacks User.Read.All (application): every mailbox lookup will be "
            "refused with 403 Authorization_RequestDenied",
            service="graph",
        )
    answer = "User.Read.All consented for mailbox lookups"
    if roles & TENANT_WIDE_MAIL:
        answer += (
            "; WARNING: Mail.ReadWrite is consented tenant-wide, so the app can open every "
            "mailbox whatever its Exchange RBAC scope says: revoke that consent "
            "(docs/admin-guide.md, section 2 step 3)"
        )
    return answer


def _hint(check: str) -> str:
    return {
        "zoom": "check the Server-to-Server OAuth app is activated and has the scopes listed in "
        "docs/admin-guide.md",
        "graph permissions": "in Entra, add Microsoft Graph User.Read.All (Application) and "
        "grant admin consent: it reads directory profiles, not mail",
        "graph mailbox": "add the mailbox to the app's Exchange RBAC for Applications "
        "management scope (Test-ServicePrincipalAuthorization), and make sure User.Read.All "
        "(application) is consented for the lookup",
        "graph folder": "the app's Exchange RBAC scope must include this mailbox "
        "(Test-ServicePrincipalAuthorization)",
        "storage": "the identity needs Table Data Contributor on the storage account",
    }.get(check, "see docs/admin-guide.md")
