"""The seller's purchase e-mail: durable outbox row + on_commit fast path + periodic relay."""
import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .. import conf
from ..models import PurchaseNotice

logger = logging.getLogger(__name__)


def _enqueue(notice_id: int) -> bool:
    from ..tasks import send_purchase_email

    try:
        # retry=False: with the broker down, fail fast; the relay delivers it later.
        send_purchase_email.apply_async(args=[notice_id], retry=False)
        return True
    except Exception:  # noqa: BLE001 - any broker error; the row stays pending for the relay
        logger.warning("car_listing: could not enqueue purchase e-mail %s; the relay will retry", notice_id,
                       exc_info=True)
        return False


def purchase_notice_enqueue_on_commit(*, notice_id: int) -> None:
    transaction.on_commit(lambda: _enqueue(notice_id))


def purchase_email_send(*, notice_id: int) -> bool:
    """Send the e-mail at most once: under the notice's row lock, skip if already sent.
    Returns True if this call sent it."""
    with conf.public_context(), transaction.atomic():
        notice = PurchaseNotice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None or notice.sent_at is not None:
            return False
        seller = get_user_model().objects.filter(pk=notice.seller_id).first()
        email = getattr(seller, getattr(seller, "EMAIL_FIELD", "email"), "") if seller else ""
        notice.attempts += 1
        if email:
            send_mail(conf.get("CAR_LISTING_EMAIL_SUBJECT"), conf.PURCHASE_EMAIL_BODY,
                      conf.get("CAR_LISTING_EMAIL_FROM"), [email])
        # No address: nothing to deliver; mark it done so the relay stops picking it up.
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at", "attempts"])
        return bool(email)


def purchase_email_relay(*, grace_seconds: int | None = None, limit: int = 500) -> int:
    """Enqueue pending notices older than the grace period (their fast path failed or was lost)."""
    grace = conf.get("CAR_LISTING_RELAY_GRACE_SECONDS") if grace_seconds is None else grace_seconds
    cutoff = timezone.now() - timedelta(seconds=grace)
    with conf.public_context():
        ids = list(PurchaseNotice.objects.filter(sent_at__isnull=True, created_at__lte=cutoff)
                   .order_by("id").values_list("id", flat=True)[:limit])
    return sum(_enqueue(i) for i in ids)
