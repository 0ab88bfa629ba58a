"""`check`: every setting, then each service on its own (storage, Zoom, Entra and Graph), saying
what is wrong and the one thing to do about it.

A check whose service could not be reached or signed in to makes the checks that depend on it
`skip` (the cause is reported once, where it happened); the other services are still checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from archiver.adapters.zoom.scopes import missing
from archiver.errors import ArchiverError, AuthenticationError, MailboxUnavailableError

OK, FAIL, SKIP = "ok", "FAIL", "skip"


@dataclass(frozen=True)
class Result:
    """One check: its name, ok / FAIL / skip, and what it found or what to do."""

    name: str
    outcome: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.outcome != FAIL

    def as_dict(self) -> dict[str, str]:
        return {"check": self.name, "outcome": self.outcome, "detail": self.detail}


class _CannotRunError(Exception):
    """Raised by a check that cannot run because one it depends on failed."""


def run_checks(mailbox: str | None, *, deps: Any = None) -> list[Result]:
    """Every check, in order; `deps` for the HTTP route (the function app's own)."""
    from archiver.bootstrap import Deps, environment_settings

    if deps is None:
        try:
            settings = environment_settings(collect=True)
        except ArchiverError as error:  # collect mode records errors; this is a last resort
            return [Result("settings", FAIL, str(error))]
        deps = Deps(settings)
    settings = deps.settings
    results: list[Result] = [_settings_result(settings)]
    test_mailbox = mailbox or settings.fallback_mailbox
    state: dict[str, Any] = {}  # what earlier checks found, for the ones after them

    def zoom() -> str:
        settings.require("Zoom")
        if "storage" in state:
            # The shared rate budget lives in storage; a few calls limited here do no harm.
            deps.local_zoom_limits = True
        next(iter(deps.zoom.list_users(status="active")), None)
        state["zoom"] = True
        return zoom_scopes(getattr(deps.zoom, "granted_scopes", frozenset()))

    def zoom_listing() -> str:
        _needs(state, "zoom", "zoom")
        return listing_mode(deps)

    def zoom_archiving() -> str:
        mode = settings.zoom_archiving
        if mode == "off":
            return "off (ZOOM_ARCHIVING=off): meetings are archived from cloud recordings only"
        _needs(state, "zoom", "zoom")
        return archiving_mode(deps, mode)

    def zoom_unrecorded() -> str:
        if not settings.archive_unrecorded:
            return "off (ARCHIVE_UNRECORDED=false): only meetings with cloud content are archived"
        _needs(state, "zoom", "zoom")
        return history_mode(deps)

    def zoom_webinars() -> str:
        _needs(state, "zoom", "zoom")
        return webinar_mode(deps)

    def graph_sign_in() -> str:
        settings.require("Graph")
        state["roles"] = deps.graph.granted_roles()
        return f"signed in as app {settings.graph_client_id} {_credential_words(settings)}"

    def graph_permissions() -> str:
        _needs(state, "roles", "graph sign-in")
        return graph_roles(state["roles"])

    def graph_mailbox() -> str:
        _needs(state, "roles", "graph sign-in")
        if not test_mailbox:
            raise _CannotRunError("give --mailbox (or set FALLBACK_MAILBOX) to test a mailbox")
        found = deps.graph.find_mailbox(test_mailbox)
        if found is None:
            raise MailboxUnavailableError(
                f"{test_mailbox} is not a mailbox in this tenant",
                hint="give the address of a licensed user's mailbox",
            )
        state["mailbox"] = found.id
        return f"{test_mailbox} found ({found.address}, id {found.id})"

    def graph_folder() -> str:
        _needs(state, "mailbox", "graph mailbox")
        folder = deps.graph.ensure_folder(state["mailbox"], settings.archive_folder_name)
        return f"folder {settings.archive_folder_name!r} is available (id {folder[:12]}...)"

    checks: list[tuple[str, Callable[[], str]]] = [
        ("storage tables", lambda: storage_tables(deps)),
        ("storage queues", lambda: storage_queues(deps)),
        ("storage blobs", lambda: storage_blobs(deps)),
        ("zoom", zoom),
        ("zoom listing", zoom_listing),
        ("zoom archiving", zoom_archiving),
        ("zoom unrecorded", zoom_unrecorded),
        ("zoom webinars", zoom_webinars),
        ("graph sign-in", graph_sign_in),
        ("graph permissions", graph_permissions),
        ("graph mailbox", graph_mailbox),
        ("graph folder", graph_folder),
    ]
    for name, check in checks:
        if name.startswith("storage") and "storage" in state:
            results.append(Result(name, SKIP, state["storage"]))
            continue
        results.append(_run(name, check, settings, state))
    return results


def storage_tables(deps: Any) -> str:
    deps.ledger.last_run()
    return "tables readable"


def storage_queues(deps: Any) -> str:
    from azure.core.exceptions import ResourceNotFoundError

    found = []
    for name in (deps.settings.meetings_queue, deps.settings.files_queue):
        try:
            deps.storage.queue(name).get_queue_properties()
            found.append(name)
        except ResourceNotFoundError:
            found.append(f"{name} (not created yet: the function app creates it)")
    return "queues reachable: " + ", ".join(found)


def storage_blobs(deps: Any) -> str:
    name = deps.settings.staging_container
    there = deps.storage.blobs.get_container_client(name).exists()
    return f"container {name} " + (
        "reachable" if there else "not created yet: the function app creates it"
    )


def _run(name: str, check: Callable[[], str], settings: Any, state: dict[str, Any]) -> Result:
    from azure.core.exceptions import AzureError, HttpResponseError

    try:
        return Result(name, OK, check())
    except _CannotRunError as skipped:
        return Result(name, SKIP, str(skipped))
    except AzureError as error:  # only the storage SDKs raise these
        from archiver.adapters.storage import storage_problem

        if not isinstance(error, HttpResponseError) or error.response is None:
            # Unreachable, or no credential: the other storage checks would say it again.
            state["storage"] = f"storage not reachable ({name} above)"
        return Result(name, FAIL, storage_problem(error, settings.storage))
    except (ArchiverError, ValueError) as error:
        if name.startswith("storage"):  # storage settings missing or invalid
            state["storage"] = f"storage not usable ({name} above)"
        return Result(name, FAIL, " ".join(str(error).split()))


def listing_mode(deps: Any) -> str:
    """Whether discovery can list the account's recordings at once, or must list each user."""
    today = deps.clock().date()
    try:
        next(iter(deps.zoom.list_account_recordings(start=today, end=today)), None)
    except AuthenticationError as error:
        return (
            f"per user: Zoom refuses the account-level listing ({error.message}); discovery "
            "lists every user's recordings instead, in shards on DISCOVERY_QUEUE, so its Zoom "
            "calls grow with users: add cloud_recording:read:list_account_recordings:admin "
            "(docs/admin-guide.md, section 1)"
        )
    return "account level: one listing of the account's recordings (its cost follows meetings)"


def history_mode(deps: Any) -> str:
    """Whether the meeting history (meetings nobody recorded) can be listed (one Heavy call)."""
    today = deps.clock().date()
    try:
        next(iter(deps.zoom.list_history_meetings(start=today, end=today)), None)
    except AuthenticationError as error:
        return (
            f"per user: Zoom refuses the meeting history ({error.message}); meetings nobody "
            "recorded are found in each user's meeting report instead (two Heavy calls per user "
            "per run): add report:read:list_history_meetings:admin (docs/admin-guide.md)"
        )
    return "the meeting history answers: meetings nobody recorded are found and archived"


def webinar_mode(deps: Any) -> str:
    """Whether the account has the Webinar licence (webinars' people come from its APIs)."""
    from archiver.sources.webinars import unlicensed

    user = next(iter(deps.zoom.list_users(status="active")), None)
    if user is None:
        return "no active user to ask about webinars"
    try:
        next(iter(deps.zoom.list_user_webinars(str(user["id"]))), None)
    except AuthenticationError as error:
        return (
            f"the app lacks the webinar scopes ({error.message}): webinars are archived from "
            "their recordings only, without their attendees (docs/admin-guide.md)"
        )
    except ArchiverError as error:
        if not unlicensed(error):
            raise
        return (
            f"no Webinar licence ({error.message}): the account holds no webinars to archive; "
            "a recorded webinar is archived from its recordings, and the webinar APIs are not "
            "asked for each webinar"
        )
    return (
        "the account has the Webinar licence: webinars' hosts, panelists and attendees are archived"
    )


def archiving_mode(deps: Any, mode: str) -> str:
    """Whether the Archiving API answers, and so which sources archive meetings."""
    from datetime import timedelta

    from archiver.sources.archiving import unavailable

    now = deps.clock()
    try:
        listed = sum(
            1 for _ in deps.zoom.list_archive_files(start=now - timedelta(days=7), end=now)
        )
    except ArchiverError as error:
        if mode == "auto" and unavailable(error):
            return (
                f"not available ({error.message}): with ZOOM_ARCHIVING=auto meetings are archived "
                "from cloud recordings only (docs/admin-guide.md, section 1, says how to get "
                "archiving enabled)"
            )
        raise
    return (
        f"the Archiving API answers ({listed} archive(s) completed in the last 7 days): "
        f"ZOOM_ARCHIVING={mode} archives every chat line, breakout rooms and per-participant "
        "files from it, beside cloud recordings"
    )


def _needs(state: dict[str, Any], key: str, check: str) -> None:
    if key not in state:
        raise _CannotRunError(f"needs {check} (above)")


def _settings_result(settings: Any) -> Result:
    if settings.invalid:
        return Result("settings", FAIL, "; ".join(settings.invalid.values()))
    detail = "every setting that is set is valid"
    if settings.unset:
        detail += f" (not set: {', '.join(sorted(settings.unset))}; their service is not checked)"
    return Result("settings", OK, detail)


def _credential_words(settings: Any) -> str:
    mode = settings.graph_credential
    if mode == "managedidentity":
        who = settings.graph_managed_identity_client_id or "system-assigned"
        return (
            f"with the function app's managed identity {who} through a federated credential "
            "(nothing stored)"
        )
    if mode == "certificate":
        return "with a certificate (GRAPH_CLIENT_CERTIFICATE)"
    return (
        "with a client secret (GRAPH_CLIENT_SECRET; it expires: GRAPH_CREDENTIAL=managedidentity "
        "needs none, docs/admin-guide.md section 2)"
    )


def zoom_scopes(granted: frozenset[str]) -> str:
    """What the token's scopes allow; raises naming every required scope that is missing."""
    if not granted:
        return "token issued and users listed (Zoom did not list the token's scopes)"
    lacking = missing(granted)
    required = [n for n in lacking if n.required]
    if required:
        names = ", ".join(f"{n.granular} (or classic {n.classic}) for {n.call}" for n in required)
        raise AuthenticationError(
            f"the Zoom app lacks {len(required)} scope(s): {names}",
            service="zoom",
            hint="add them under the app's Scopes in the Zoom Marketplace and activate it again "
            "(docs/admin-guide.md, section 1)",
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
            hint="in Entra, add Microsoft Graph User.Read.All (Application) and grant admin "
            "consent: it reads directory profiles, not mail",
        )
    answer = "User.Read.All consented for mailbox lookups"
    if roles & TENANT_WIDE_MAIL:
        answer += (
            "; WARNING: Mail.ReadWrite is consented tenant-wide, so the app can open every "
            "mailbox whatever its Exchange RBAC scope says: revoke that consent "
            "(docs/admin-guide.md, section 2 step 3)"
        )
    return answer
