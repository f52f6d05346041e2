"""How Citus commits the site's writes that span nodes, as the commands it sends to the workers show.

`citus.log_remote_commands` makes the coordinator report each command it sends to another node as a
notice on the session that caused it; docs/scaling.md ("Cross-schema transactions") says which case
gets which commit.
"""
import os
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.conftest import host_client
from tests.test_marketplace import _listed_dealer_car

pytestmark = pytest.mark.skipif(not os.environ.get("CITUS_WORKERS"),
                                reason="needs a Citus cluster (dev.py test --citus)")


@contextmanager
def remote_commands():
    """The commands this connection's transactions send to other nodes while the block runs."""
    sent: list[str] = []

    def note(diagnostic) -> None:
        message = diagnostic.message_primary or ""
        if message.startswith("issuing "):
            sent.append(message.removeprefix("issuing "))

    connection.ensure_connection()
    raw = connection.connection
    raw.add_notice_handler(note)
    with connection.cursor() as cursor:
        cursor.execute("SET citus.log_remote_commands TO on")
    try:
        yield sent
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET citus.log_remote_commands")
        raw.remove_notice_handler(note)


def _ends(sent: list[str]) -> list[str]:
    """How each remote transaction ended: PREPARE/COMMIT PREPARED (two-phase) or a plain COMMIT."""
    return [c.split(" '")[0] for c in sent if c.startswith(("PREPARE TRANSACTION", "COMMIT PREPARED", "COMMIT"))]


def _people():
    from decimal import Decimal

    from django_wallet import services as wallet
    from tenancy.models import Dealership
    from tenancy.services import membership_grant

    users = get_user_model().objects
    staff = users.create_user(username="commit-staff")
    membership_grant(user=staff, dealership=Dealership.objects.get(slug="dealer1"), role="dealer_staff")
    buyer = users.create_user(username="commit-buyer")
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("20000.00"))
    return staff, users.create_user(username="commit-admin", is_staff=True), buyer


def test_a_dealer_car_purchase_commits_with_two_phase_commit(committed_db):
    """Payment and the car in public on the coordinator, the sale in the dealer's schema on its worker."""
    from django_car_listing.services import car_buy

    staff, admin, buyer = _people()
    car = _listed_dealer_car(staff, admin)
    with remote_commands() as sent:
        car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
    ends = _ends(sent)
    # Citus reaches the worker over two connections here (one of them to send it an intermediate result):
    # each is prepared, then committed prepared, never committed plainly.
    assert ends.count("PREPARE TRANSACTION") == ends.count("COMMIT PREPARED") >= 1, sent
    assert "COMMIT" not in ends, sent


def test_a_lead_creation_commits_its_worker_part_with_a_plain_commit(committed_db):
    """The lead in the dealer's schema on its worker, its event on the coordinator: no two-phase commit."""
    staff, admin, _ = _people()
    car = _listed_dealer_car(staff, admin)
    client = host_client("dealer1.localhost", staff)
    with remote_commands() as sent:
        made = client.post("/api/leads/", {"car": car.pk, "contact_name": "Walk In", "contact_phone": "+14155550100"},
                           content_type="application/json")
    assert made.status_code == 201, made.content
    assert _ends(sent) == ["COMMIT"], sent  # one connection to one worker: one-phase
    from forecourt_core.events.models import Event

    # The same transaction wrote on the coordinator too (the event, in public), committed after the worker's.
    assert Event.objects.filter(kind="leads.lead_created", data__lead_id=made.json()["id"]).count() == 1
