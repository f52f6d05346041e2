"""Every notification kind's e-mail, rendered and read: a human subject, what happened, a link to its page."""
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from demo.glue import links
from django_notifications.emails import TEMPLATE_DIR, render_email
from django_notifications.models import Notification
from forecourt_core.events.models import Event

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / TEMPLATE_DIR
# The data each kind's notification carries (demo/glue/wiring.py); statuses, sides and reasons may be
# machine codes, which the templates turn into words.
SAMPLES = {
    "car_purchased": {"store_key": "", "car_id": 7, "car": "2008 Saab 9-3", "price": "3500.00", "buyer": "anna"},
    "car_purchase_confirmed": {"store_key": "dealer1", "car_id": 9, "car": "2021 Volvo XC60", "price": "32900.00",
                               "seller": "First Motors"},
    "car_posted": {"store_key": "dealer1", "car_id": 3, "car": "2019 Toyota Corolla", "price": "15400.00",
                   "dealership": "First Motors"},
    "car_verified": {"store_key": "", "car_id": 7, "car": "2008 Saab 9-3", "reason": ""},
    "car_rejected": {"store_key": "", "car_id": 7, "car": "2008 Saab 9-3", "reason": "The photos show another car."},
    "lead_assigned": {"lead_id": 4, "schema": "dealer1", "contact_name": "Jo Walker", "car": "2020 BMW 320d"},
    "lead_status_changed": {"lead_id": 4, "schema": "dealer1", "contact_name": "Jo Walker", "car": "2020 BMW 320d",
                            "old_status": "new", "new_status": "contacted", "by": "dealer1-sales-agent"},
    "commission_paid": {"amount": "412.50", "sale_id": 3, "car": "2020 BMW 320d"},
    "trade_settled": {"order_id": "0b8e", "side": "buy", "volume": 10, "ticker": "FCRT", "price": "101.50"},
    "trade_rejected": {"order_id": "0b8e", "side": "sell", "volume": 10, "ticker": "FCRT", "price": "",
                       "reason": "insufficient_holdings"},
    "credit_request_decided": {"credit_request_id": 2, "status": "approved", "amount": "1500.00"},
    "payroll_paid": {"run_id": 1, "schema": "dealer1", "period": "2026-11-01", "dealership": "First Motors"},
}
# Words each e-mail must say (beyond the sample's own names and amounts).
SAYS = {
    "lead_status_changed": "moved from new to contacted", "trade_rejected": "refused: insufficient holdings",
    "payroll_paid": "November 2026", "credit_request_decided": "was approved. The amount is in your wallet.",
    "commission_paid": "$412.50", "trade_settled": "filled at $101.50 per share",
}
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|->|\{|\}|None")
TEMPLATE_SYNTAX = re.compile(r"\{[{%]|[%}]\}")


def _kinds_with_templates() -> set[str]:
    return {p.name.removesuffix(".subject.txt") for p in EMAIL_TEMPLATES.glob("*.subject.txt")}


def test_every_kind_the_site_notifies_has_e_mail_templates():
    wiring = (Path(settings.BASE_DIR) / "demo" / "glue" / "wiring.py").read_text()
    kinds = set(re.findall(r'kind="([a-z_]+)"', wiring))
    assert {"car_purchased", "car_purchase_confirmed", "lead_status_changed"} <= kinds
    if 'kind=f"car_{status}"' in wiring:  # one kind per verification decision
        kinds |= {"car_verified", "car_rejected"}
    assert kinds <= _kinds_with_templates()


def test_every_kind_with_templates_has_all_three_and_a_sample():
    kinds = _kinds_with_templates()
    assert kinds == set(SAMPLES)
    for kind in kinds:
        assert (EMAIL_TEMPLATES / f"{kind}.txt").is_file() and (EMAIL_TEMPLATES / f"{kind}.html").is_file(), kind


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_kind_renders_a_human_subject_a_body_and_its_link(kind, make_user):
    recipient = make_user("reader")
    link = links.site_url(f"/page-of/{kind}/")
    note = Notification(recipient=recipient, kind=kind, title="ignored", data=SAMPLES[kind], link=link)
    email = render_email(note)

    assert email["subject"] and not RAW_CODE.search(email["subject"]), email["subject"]
    body = email["body"]
    what = body.split("\n\n", 2)[1]  # after the greeting: what happened
    assert len(what.split()) >= 6 and not TEMPLATE_SYNTAX.search(body), body
    assert "Hello reader," in body and link in body
    assert "&amp;" not in body and "&#x27;" not in email["subject"]
    html = email["html"]
    assert f'href="{link}"' in html and "<p" in html and not TEMPLATE_SYNTAX.search(html)
    for value in SAMPLES[kind].values():
        if isinstance(value, str) and value and " " in value and not value.endswith("."):
            assert value in body or value.lower() in body, (kind, value)
    assert SAYS.get(kind, "") in body


def test_amounts_in_e_mails_carry_currency_and_grouping(make_user):
    note = Notification(recipient=make_user("reader"), kind="car_purchase_confirmed", title="x",
                        data=SAMPLES["car_purchase_confirmed"], link=links.my_car(9))
    email = render_email(note)
    assert "$32,900.00" in email["body"] and "$32,900.00" in email["html"]


def test_a_kind_without_templates_falls_back_to_title_body_and_link(make_user):
    note = Notification(recipient=make_user("reader"), kind="something.else", title="Plain title", body="Plain body",
                        link="http://localhost:8000/x/")
    assert render_email(note) == {
        "subject": "Plain title", "body": "Plain body\n\nhttp://localhost:8000/x/", "html": ""}


def test_a_purchase_mails_the_buyer_a_confirmation_and_the_seller_a_sale(committed_db):
    """Real commits: the notifications are written by the relay from the purchase's event."""
    from django.contrib.auth import get_user_model

    from django_car_listing import services as cars
    from django_wallet import services as wallet
    from forecourt_core.events.services import events_relay

    def make_user(username, **extra):
        return get_user_model().objects.create_user(username=username, password="a-Strong-passw0rd", **extra)

    seller = make_user("seller-m", email="seller-m@example.com")
    buyer = make_user("buyer-m", email="buyer-m@example.com")
    admin = make_user("admin-m", is_staff=True)
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("5000.00"))
    car = cars.car_create(actor=seller, store_key="", make="Saab", model="9-3", year=2008,
                          price=Decimal("3500.00"), vin="WAUZZZ8K9HA012345")
    cars.car_verify(actor=admin, store_key="", car_id=car.pk)
    cars.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
    record = cars.car_buy(buyer=buyer, store_key="", car_id=car.pk)
    events_relay()  # what beat's relay (or the commit's kick) runs: the event becomes the notifications

    rows = {e.data["to"]: e.data for e in Event.objects.filter(kind="notifications.email_due")
            if e.data["kind"] in ("car_purchase_confirmed", "car_purchased")}
    bought, sold = rows["buyer-m@example.com"], rows["seller-m@example.com"]
    assert bought["subject"] == "Your purchase: the 2008 Saab 9-3"
    assert "You bought the 2008 Saab 9-3 from seller-m for $3,500.00." in bought["body"]
    assert links.my_car(record.car.pk) in bought["body"] and links.my_car(record.car.pk) in bought["html"]
    assert sold["subject"] == "Your 2008 Saab 9-3 has been sold"
    assert "buyer-m bought your 2008 Saab 9-3 for $3,500.00." in sold["body"]
