"""Every cross-package reaction of the site, in one place.

The domain packages record events (forecourt_core.events) in the transaction of each change; the
relay hands each event once to the handlers below, in the schema it was recorded in. Handlers
decide who hears of it: they write notifications (django-notifications, which sends the e-mails
and pushes), keyed by the event's id, so an event notifies each recipient once. Each notification
carries in ``data`` what an e-mail needs (names, amounts) and, in ``link`` and ``data["url"]``,
the page of the thing it is about.

Books: a dealer car sold on the platform or offline, a commission accrued and paid and any other
wallet transaction of the dealership's account are posted once each into the dealership's books by
the handlers at the end (demo/glue/books.py: keyed postings of django-books); a paid payroll run is
posted by django-payroll itself. PAYROLL_COMMISSION_SOURCE stays 0: commissions are paid by
django-leads' payout, never again through payslips.
"""
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django_tenants.utils import schema_context

from accounts.roles import DEALER, DEALER_STAFF
from demo.glue import books, dashboard, hooks, links
from django_leads.models import LeadStatus
from django_notifications.services import notify_many
from forecourt_core.display import money
from forecourt_core.events.registry import handles
from tenancy.selectors import dealership_followers, dealership_members


def _dealership_staff(schema_name: str) -> list:
    return dealership_members(schema_name=schema_name, roles=[DEALER, DEALER_STAFF])


def _users(*ids) -> dict:
    wanted = [i for i in ids if i is not None]
    return get_user_model().objects.in_bulk(wanted) if wanted else {}


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _car_label(data: dict) -> str:
    return f"{data['year']} {data['make']} {data['model']}"


def _send(event, recipients, *, kind: str, title: str, body: str = "", link: str = "", data: dict) -> None:
    notify_many(recipients=recipients, kind=kind, title=title, body=body, link=link,
                data={**data, "url": link, "event": event.kind}, event_id=event.id)


# Each kind's e-mail templates (templates/notifications/email/<kind>.*) read the data written here;
# tests/test_emails.py renders every kind.

# --- car-listing --------------------------------------------------------------------------------------

@handles("car_listing.car_purchased")
def car_purchased(event) -> None:
    d = event.data
    people = _users(d["buyer_id"], d["seller_id"])
    buyer, seller = people[d["buyer_id"]], people.get(d["seller_id"])
    store, label, price = d["store_key"], _car_label(d), d["price"]
    seller_name = _name(seller) if seller is not None else hooks.store_name(store)
    sold = {"store_key": store, "car_id": d["car_id"], "car": label, "price": price, "buyer": _name(buyer),
            "vin": d["vin"]}
    title = f"Your {label} has been sold"
    body = f"{_name(buyer)} paid {money(price)}. The money has been transferred to your balance."
    if seller is not None:
        _send(event, [seller], kind="car_purchased", title=title, body=body, link=links.my_cars(), data=sold)
    elif store:
        _send(event, _dealership_staff(store), kind="car_purchased", title=title, body=body, link=links.sales(store),
              data=sold)
    _send(event, [buyer], kind="car_purchase_confirmed", title=f"You bought the {label}",
          body=f"You paid {money(price)} to {seller_name}. The car is now in My cars.",
          link=links.my_car(d["buyer_car_id"]),
          data={"car_id": d["buyer_car_id"], "car": label, "price": price, "seller": seller_name, "store_key": store})


@handles("car_listing.car_listed")
def car_listed(event) -> None:
    d = event.data
    store = d["store_key"]
    if not store:  # a private seller's listing is news to nobody in particular
        return
    people = {u.pk: u for u in [*_dealership_staff(store), *dealership_followers(schema_name=store)]}
    people.pop(d["actor_id"], None)  # who listed it isn't told of it
    label, dealership = _car_label(d), hooks.store_name(store)
    _send(event, people.values(), kind="car_posted", title=f"{dealership} has a {label} for sale",
          link=links.car(store, d["car_id"]),
          data={"store_key": store, "car_id": d["car_id"], "car": label, "price": d["price"],
                "dealership": dealership})


@handles("car_listing.car_verified")
def car_verified(event) -> None:
    d = event.data
    store, status, reason = d["store_key"], d["status"], d["reason"] or ""
    if d["owner_id"] is not None:
        recipients, link = list(_users(d["owner_id"]).values()), links.my_car(d["car_id"])
    elif store:
        recipients, link = _dealership_staff(store), links.inventory(store)
    else:
        return
    label = _car_label(d)
    title = f"Your {label} was verified" if status == "verified" else f"Your {label} was not approved"
    _send(event, recipients, kind=f"car_{status}", title=title, body=reason, link=link,
          data={"store_key": store, "car_id": d["car_id"], "car": label, "reason": reason})


# --- leads --------------------------------------------------------------------------------------------

def _lead_data(d: dict) -> dict:
    return {"lead_id": d["lead_id"], "schema": connection.schema_name, "contact_name": d["contact_name"],
            "car": d["car"]}


@handles("leads.lead_assigned")
def lead_assigned(event) -> None:
    d = event.data
    agent = _users(d["agent_id"]).get(d["agent_id"])
    if agent is None:  # unassigned
        return
    who = d["contact_name"] or "a customer"
    _send(event, [agent], kind="lead_assigned", title=f"A new lead is yours: {who}",
          link=links.lead(connection.schema_name, d["lead_id"]), data=_lead_data(d))


@handles("leads.lead_status_changed")
def lead_status_changed(event) -> None:
    d = event.data
    recipients = {u.pk: u for u in _dealership_staff(connection.schema_name)}
    recipients.update(_users(d["agent_id"]))
    by = _users(d["by_id"]).get(d["by_id"])
    recipients.pop(d["by_id"], None)  # who made the change isn't told of it
    old, new = LeadStatus(d["old_status"]).label, LeadStatus(d["new_status"]).label
    _send(event, recipients.values(), kind="lead_status_changed",
          title=f"Lead {d['contact_name'] or d['lead_id']} moved from {old} to {new}",
          link=links.lead(connection.schema_name, d["lead_id"]),
          data={**_lead_data(d), "old_status": old, "new_status": new, "by": _name(by)})


@handles("leads.commission_paid")
def commission_paid(event) -> None:
    d = event.data
    _send(event, _users(d["agent_id"]).values(), kind="commission_paid",
          title=f"Your commission of {money(d['amount'])} has been paid",
          body="It has been transferred to your balance.", link=links.wallet(),
          data={"amount": d["amount"], "sale_id": d["sale_id"]})


# --- trading, wallet, payroll -------------------------------------------------------------------------

def _order_data(d: dict) -> dict:
    return {"order_id": d["order_id"], "side": d["side"], "volume": d["volume"], "ticker": d["ticker"],
            "price": d["price"] or "", "amount": d["amount"] or ""}


@handles("trading.order_settled")
def order_settled(event) -> None:
    d = event.data
    _send(event, _users(d["user_id"]).values(), kind="trade_settled",
          title=f"{d['side'].capitalize()} {d['volume']} {d['ticker']} settled at {money(d['price'])}",
          link=links.trading(), data=_order_data(d))


@handles("trading.order_rejected")
def order_rejected(event) -> None:
    d = event.data
    reason = d["reason"].replace("_", " ")
    _send(event, _users(d["user_id"]).values(), kind="trade_rejected",
          title=f"Your order to {d['side']} {d['volume']} {d['ticker']} was refused: {reason}",
          link=links.trading(), data={**_order_data(d), "reason": d["reason"]})


@handles("wallet.credit_request_decided")
def credit_request_decided(event) -> None:
    d = event.data
    _send(event, _users(d["requested_by_id"]).values(), kind="credit_request_decided",
          title=f"Your credit request for {money(d['amount'])} was {d['status']}", link=links.wallet(),
          data={"credit_request_id": d["credit_request_id"], "status": d["status"], "amount": d["amount"]})


@handles("payroll.run_paid")
def payroll_run_paid(event) -> None:
    d = event.data
    slips = {s["user_id"]: s for s in d["payslips"] if s["user_id"] is not None}
    schema = connection.schema_name
    dealership = hooks.store_name(schema)
    for user in _users(*slips).values():  # each employee's own net pay
        slip = slips[user.pk]
        _send(event, [user], kind="payroll_paid", title=f"Your pay for {d['period'][:7]} has been paid",
              body=f"Net pay: {money(slip['net'])}.", link=links.payslips(schema),
              data={"run_id": d["run_id"], "schema": schema, "period": d["period"], "dealership": dealership,
                    "net": slip["net"], "employee": slip["employee_name"]})


# --- the dealership's books -------------------------------------------------------------------
# Each posting is keyed by its cause (demo/glue/books.py), so an event relayed twice is booked once. A
# refusal of the books (say, the accountant took away an account's role) is logged without holding up
# the event's notifications; the books.reconcile sweep posts what is missing once the books accept it.

@handles("car_listing.car_purchased", name="books.car_sale")
def book_car_sale(event) -> None:
    store, sale_id = event.data["store_key"], event.data["sale_id"]
    if store and sale_id is not None:  # a dealership's car; private sales aren't a business's income
        with schema_context(store), books.posting(event):
            books.book_car_sale(books.store_sale(sale_id))


@handles("leads.sale_closed", name="books.lead_sale")
def book_lead_sale(event) -> None:
    sale = books.lead_sale(event.data["sale_id"])
    with books.posting(event):
        if sale.payment == "offline":  # platform payments are booked from car_purchased above
            books.book_offline_sale(sale)
        for commission in sale.commissions.all():
            books.book_commission_accrued(commission)


@handles("leads.commission_paid", name="books.commission_paid")
def book_commission(event) -> None:
    with books.posting(event):
        books.book_commission_paid(books.commission(event.data["commission_id"]))


@handles("wallet.transaction_posted", name="books.wallet_transaction")
def book_wallet_transaction(event) -> None:
    d = event.data
    with books.posting(event):
        books.book_wallet_movements(transaction_id=d["transaction_id"], kind=d["kind"], memo=d["memo"],
                                    created_at=d["created_at"],
                                    movements=[(e["owner_id"], Decimal(e["amount"])) for e in d["entries"]
                                               if e["owner"] == books.DEALERSHIP_LABEL])


# --- caches -----------------------------------------------------------------------------------

# The dealer dashboard sums these rows (demo/glue/dashboard.py): any save or delete forgets the dealership's
# cached figures once its transaction commits.
DASHBOARD_SOURCES = ("leads.Lead", "leads.Sale", "leads.Commission", "books.JournalEntry")


def _dashboard_changed(sender, **kwargs):
    dashboard.invalidate_on_commit()


for _model in DASHBOARD_SOURCES:
    post_save.connect(_dashboard_changed, sender=_model, dispatch_uid=f"wiring.dashboard.save.{_model}")
    post_delete.connect(_dashboard_changed, sender=_model, dispatch_uid=f"wiring.dashboard.delete.{_model}")
