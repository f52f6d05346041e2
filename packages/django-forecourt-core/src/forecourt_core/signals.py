"""Django signals sent once the current transaction commits."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal


def send_on_commit(signal: Signal, *, sender: Any, **kwargs: Any) -> None:
    """Send ``signal`` after the current transaction commits (at once outside one); never on a rollback.

    Receivers then see committed rows only. A receiver that must not be lost to a crash between the
    commit and this call belongs on a recorded event instead (``forecourt_core.events``).
    """
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
