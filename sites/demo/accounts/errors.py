"""Refusals of the accounts app, in the kernel's one error tree (rendered by forecourt_core.drf.exception_handler)."""
from forecourt_core.errors import DomainError


class AccountLocked(DomainError):
    """429: too many failed sign-ins for this account; ``retry_after`` says when it unlocks."""

    code = "account_locked"
    message = "Too many failed sign-ins for this account; try again later."
    status = 429
