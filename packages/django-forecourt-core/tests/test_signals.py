import pytest
from django.db import transaction
from django.dispatch import Signal

from forecourt_core.signals import send_on_commit

happened = Signal()


@pytest.mark.django_db(transaction=True)
def test_a_signal_is_sent_after_commit_and_never_after_a_rollback():
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs["n"]))

    happened.connect(receiver)
    try:
        with transaction.atomic():
            send_on_commit(happened, sender="committed", n=1)
            assert received == []
        with pytest.raises(RuntimeError), transaction.atomic():
            send_on_commit(happened, sender="rolled-back", n=2)
            raise RuntimeError
        send_on_commit(happened, sender="outside", n=3)
    finally:
        happened.disconnect(receiver)
    assert received == [("committed", 1), ("outside", 3)]
