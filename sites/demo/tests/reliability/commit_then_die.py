"""A process that buys a car, commits, and then stops dead before anything else runs.

``python -m tests.reliability.commit_then_die <buyer id> <car id> <marker file>`` (settings from the
environment, as the fault tests' workers). Its first on-commit callback, registered before the
purchase's own (the event relay's kick), writes the marker and sleeps: the test SIGKILLs the process
there, between the commit and the relay.
"""
import os
import sys
import time
from pathlib import Path

import django


def main(buyer_id: int, car_id: int, marker: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.reliability.faults_settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from django_car_listing.services import car_buy

    def committed_now_wait_to_be_killed() -> None:
        marker.write_text("committed")
        time.sleep(3600)

    buyer = get_user_model().objects.get(pk=buyer_id)
    with transaction.atomic():
        transaction.on_commit(committed_now_wait_to_be_killed)
        car_buy(buyer=buyer, store_key="", car_id=car_id)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
