"""The status pipeline: every allowed transition, in one table.

``TRANSITIONS[(from, to)]`` is the permission the acting user needs (None: whoever may update the
lead). A pair missing from the table is refused with 409 ``invalid_transition``. Won is final.
"""
from .errors import InvalidTransition, TransitionNotPermitted
from .models import LeadStatus as S

TRANSITIONS: dict[tuple[str, str], str | None] = {
    (S.NEW, S.CONTACTED): None,
    (S.NEW, S.LOST): None,
    (S.CONTACTED, S.QUALIFIED): None,
    (S.CONTACTED, S.LOST): None,
    (S.QUALIFIED, S.NEGOTIATING): None,
    (S.QUALIFIED, S.LOST): None,
    (S.NEGOTIATING, S.WON): None,
    (S.NEGOTIATING, S.LOST): None,
    (S.LOST, S.CONTACTED): "leads.reopen_lead",
}


def allowed_targets(status: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == status]


def check_transition(*, current: str, target: str, user=None) -> None:
    """Raise unless ``current -> target`` is in the table and ``user`` holds its permission."""
    if (current, target) not in TRANSITIONS:
        raise InvalidTransition(f"A lead cannot go from {current!r} to {target!r}.")
    perm = TRANSITIONS[(current, target)]
    if perm and (user is None or not user.has_perm(perm)):
        raise TransitionNotPermitted(f"Going from {current!r} to {target!r} needs the {perm} permission.")
