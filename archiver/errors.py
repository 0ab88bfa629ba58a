"""The archiver's one error tree: transient errors are retried, permanent ones are recorded.

    ArchiverError                      base; carries service, status, code, meeting, mailbox
    ├── TransientError                 retry later (backoff, host retry, sweep)
    │   ├── ServiceUnavailableError    5xx, timeouts, connection resets
    │   ├── ThrottledError             429 / throttling; retry_after seconds when the service said
    │   │   └── BudgetExhaustedError   a daily Zoom budget is spent; retry_after: until 00:00 UTC
    │   └── IncompleteDownloadError    HTML page instead of bytes, short or long body, hash mismatch
    └── PermanentError                 record and stop; retrying cannot help
        ├── ConfigurationError         a missing or invalid app setting (names the setting)
        ├── AuthenticationError        credentials, tenant, consent or scope refused
        ├── NotFoundError              the service says the thing does not exist
        ├── InvalidInputError          a service or caller sent data we cannot accept
        ├── UntrustedHostError         a download URL outside the allowed hosts (token never sent)
        └── MailboxUnavailableError    mailbox missing, disabled, over quota or out of RBAC scope

HTTP status mapping happens inside the clients; callers only see this tree. Messages never
contain secrets or tokens. `hint` is what to do about it, set once by the code that knows the
cause (the client that read the service's answer); str(error) ends with it, so the ledger, the
logs and the admin commands show that one hint and never add a generic second one.
"""

from __future__ import annotations

from typing import Any


class ArchiverError(Exception):
    """Base of every error the archiver raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        service: str | None = None,
        status: int | None = None,
        code: str | None = None,
        meeting: str | None = None,
        mailbox: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.service = service
        self.status = status
        self.code = code
        self.meeting = meeting
        self.mailbox = mailbox

    @property
    def reason(self) -> str:
        """A short, stable label for metrics and the run log (e.g. "ThrottledError:429")."""
        parts = [type(self).__name__]
        if self.status is not None:
            parts.append(str(self.status))
        if self.code:
            parts.append(self.code)
        return ":".join(parts)

    def context(self) -> dict[str, Any]:
        """The error's context as log dimensions (never secrets)."""
        fields = {
            "service": self.service,
            "status": self.status,
            "code": self.code,
            "meeting": self.meeting,
            "mailbox": self.mailbox,
        }
        return {key: value for key, value in fields.items() if value is not None}

    def __str__(self) -> str:
        """For an admin: "message (context) - hint"."""
        ctx = ", ".join(f"{k}={v}" for k, v in self.context().items())
        text = f"{self.message} ({ctx})" if ctx else self.message
        return f"{text} - {self.hint}" if self.hint else text


class TransientError(ArchiverError):
    """Worth retrying: the same request may succeed later."""


class ServiceUnavailableError(TransientError):
    """5xx, timeout or connection failure."""


class ThrottledError(TransientError):
    """The service asked us to slow down; retry_after is in seconds when it said so."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class BudgetExhaustedError(ThrottledError):
    """The day's budget of a Zoom category is spent (ours, or Zoom said so with a daily-limit
    429): wait `retry_after` seconds (until 00:00 UTC) or use an endpoint of another category."""

    def __init__(self, message: str, *, category: str, retry_after: float, **kw: Any) -> None:
        super().__init__(message, retry_after=retry_after, **kw)
        self.category = category


class IncompleteDownloadError(TransientError):
    """The bytes received are not the file: HTML instead of media, wrong size or hash."""


class PermanentError(ArchiverError):
    """Retrying cannot help; record the error and stop."""


class ConfigurationError(PermanentError):
    """An app setting is missing or invalid; the message names it."""


class AuthenticationError(PermanentError):
    """Credentials, tenant, consent, scope or RBAC refused."""


class NotFoundError(PermanentError):
    """The service says the resource does not exist."""


class InvalidInputError(PermanentError):
    """Data we cannot accept, from a service or a caller; the message says which field."""


class UntrustedHostError(PermanentError):
    """A download URL points outside the allowed hosts; no token was sent to it."""


class MailboxUnavailableError(PermanentError):
    """The mailbox does not exist, is disabled, over quota or outside the app's RBAC scope."""
