"""Domain errors: one framework-free tree every package raises and every API renders the same way.

A ``DomainError`` carries a stable machine ``code``, a human ``message``, an HTTP ``status`` (a hint
for whichever layer renders it), optional per-field messages ``fields`` and, for a refusal that passes
with time (a lock, a rate limit), ``retry_after`` seconds (sent as the ``Retry-After`` header). Services and Celery
tasks raise these and never import DRF; ``forecourt_core.drf.exception_handler`` renders them as
``{"code", "message", "fields"}``.

Each package declares its own errors as subclasses of the shared ones below, setting class
attributes::

    class CarNotFound(NotFound):
        code = "car_not_found"
        message = "No such car."
"""
from __future__ import annotations


class DomainError(Exception):
    """A refusal a caller can act on. Subclasses set ``code``, ``message`` and ``status``."""

    code: str = "invalid"
    message: str = "The request is invalid."
    status: int = 400
    retry_after: int | None = None

    def __init__(self, message: str | None = None, *, code: str | None = None, status: int | None = None,
                 fields: dict[str, list[str]] | None = None, retry_after: int | None = None):
        if message is not None:
            self.message = str(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields = dict(fields or {})
        if retry_after is not None:
            self.retry_after = retry_after
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        """The body an API sends for this error."""
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body

    @classmethod
    def declared(cls, code: str) -> type[DomainError] | None:
        """The most general class declaring ``code``, or None."""
        pending = [cls]
        while pending:
            klass = pending.pop(0)
            if klass.__dict__.get("code") == code:
                return klass
            pending += klass.__subclasses__()
        return None

    @classmethod
    def for_code(cls, code: str, message: str) -> DomainError:
        """Rebuild a recorded refusal (e.g. an idempotent replay of a failed request) as its own class.

        The most general class declaring ``code`` wins; an unknown code gives a plain ``cls``
        carrying that code.
        """
        klass = cls.declared(code)
        return klass(message) if klass else cls(message, code=code)


class InvalidInput(DomainError):
    """400: the request itself is wrong (a value, a combination of values)."""


class NotFound(DomainError):
    """404: no such object, or one the caller may not see (the two are never told apart)."""

    code = "not_found"
    message = "Not found."
    status = 404


class NotPermitted(DomainError):
    """403: the caller is known but may not do this."""

    code = "permission_denied"
    message = "You do not have permission to do this."
    status = 403


class Conflict(DomainError):
    """409: the request is well formed but the current state refuses it."""

    code = "conflict"
    message = "The request conflicts with the current state."
    status = 409


class InvalidAmount(InvalidInput):
    code = "invalid_amount"
    message = ("Amount must be a string of ASCII digits with at most 2 decimal places, positive "
               "and below 10**16, e.g. \"12.50\".")


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    message = "The account's available balance is too low."


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    message = "This idempotency key was already used for a different request."


class InvalidTransition(Conflict):
    """A state machine (a lead's status, a payroll run's) refuses this move from the current state."""

    code = "invalid_transition"
    message = "This change is not allowed from the current status."


class AlreadyReversed(Conflict):
    code = "already_reversed"
    message = "This was already reversed (or is itself a reversal)."


class InvalidDateRange(InvalidInput):
    code = "invalid_date_range"
    message = "The date range is invalid (start after end, or too long)."


class InvalidPhoneNumber(InvalidInput):
    code = "invalid_phone"
    message = "Not a valid phone number."


class InvalidIdempotencyKey(InvalidInput):
    code = "invalid_idempotency_key"
    message = "Idempotency-Key must be 1 to 255 printable ASCII characters."


class IdempotencyKeyRequired(InvalidInput):
    code = "idempotency_key_required"
    message = "This operation moves money: send an Idempotency-Key header so a retry cannot repeat it."


class RequestTooLarge(DomainError):
    code = "request_too_large"
    message = "The request body is too large."
    status = 413


class ServiceUnavailable(DomainError):
    """503: a backing service (database, Redis) is unreachable; retrying shortly may succeed."""

    code = "service_unavailable"
    message = "A backing service is unavailable; try again shortly."
    status = 503
    retry_after = 5
