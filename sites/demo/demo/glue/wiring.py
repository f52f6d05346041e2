"""Every cross-package signal receiver of the site, in one place.

The domain packages announce events (sent on commit); the site turns them into
notifications for the people concerned and into the dealership's automatic
accounting entries. Receivers only decide who hears what and which books an
event lands in, and call the owning package's services.

Books: a dealer car sold on the platform or offline, a commission accrued and
paid, a payroll run paid and any other wallet transaction of the dealership's
account are posted once each into the dealership's books (demo/glue/books.py,
keyed postings of django-books; its sweep posts what a receiver lost to a crash
after the commit). PAYROLL_COMMISSION_SOURCE stays 0: commissions are paid by
django-leads' payout, never again through payslips.
"""
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import schema_context

from accounts.roles import DEALER, DEALER_STAFF
from demo.glue import books, dashboard, links
from django_car_listing import signals as cars
from django_leads import signals as leads
from django_notifications.services import notify, notify_many
from django_payroll import signals as payroll
from django_trading import signals as trading
from django_wallet import signals as wallet
from forecourt_core.display import money


def _dealership_staff(schema_name: str):
    from tenancy.selectors import dealership_members

    return dealership_members(schema_name=schema_name, roles=[DEALER, DEALER_STAFF])


def _car_label(car) -> str:
    return f"{car.year} {car.make} {car.model}"


def _store_name(store_key: str) -> str:
    from django_car_listing import conf

    return conf.store_name(store_key)


# Each kind's e-mail templates (templates/notifications/email/<kind>.*) read the data written here;
# tests/test_emails.py renders every kind.

@receiver(cars.car_purchased, dispatch_uid="wiring.car_purchased")
def car_purchased(sender, *, car, buyer, seller, price, store_key, **kwargs):
    label = _car_label(car)
    data = {"store_key": store_key, "car_id": kwargs.get("car_id"), "car": label, "price": str(price),
            "buyer": buyer.get_username()}
    title = f"Your {label} has been sold"
    body = f"{buyer.get_username()} paid {money(price)}. The money has been transferred to your balance."
    if seller is not None:
        notify(recipient=seller, kind="car_purchased", title=title, body=body, data=data, link=links.my_cars())
    elif store_key:
        notify_many(recipients=_dealership_staff(store_key), kind="car_purchased", title=title, body=body,
                    data=data, link=links.sales(store_key))
    seller_name = seller.get_username() if seller is not None else _store_name(store_key)
    notify(recipient=buyer, kind="car_purchase_confirmed", title=f"You bought the {label}",
           body=f"You paid {money(price)} to {seller_name}. The car is now in My cars.",
           data={"car_id": car.pk, "car": label, "price": str(price), "seller": seller_name,
                 "store_key": store_key}, link=links.my_car(car.pk))


@receiver(cars.car_listed, dispatch_uid="wiring.car_listed")
def car_listed(sender, *, car, store_key, actor=None, **kwargs):
    if store_key:  # a dealership's new listing: its staff and its followers hear of it
        from tenancy.selectors import dealership_followers

        people = {u.pk: u for u in [*_dealership_staff(store_key), *dealership_followers(schema_name=store_key)]}
        if actor is not None:
            people.pop(actor.pk, None)
        dealership = _store_name(store_key)
        notify_many(recipients=people.values(), kind="car_posted",
                    title=f"{dealership} has a {_car_label(car)} for sale",
                    data={"store_key": store_key, "car_id": car.pk, "car": _car_label(car), "price": str(car.price),
                          "dealership": dealership}, link=links.car(store_key, car.pk))


@receiver(cars.car_verified, dispatch_uid="wiring.car_verified")
def car_verified(sender, *, car, store_key, **kwargs):
    status = car.verification_status
    recipients = [car.owner] if car.owner_id else _dealership_staff(store_key) if store_key else []
    reason = getattr(car, "rejection_reason", "") or ""
    label = _car_label(car)
    title = f"Your {label} was verified" if status == "verified" else f"Your {label} was not approved"
    link = links.inventory(store_key) if store_key else links.my_car(car.pk)
    notify_many(recipients=recipients, kind=f"car_{status}", title=title, body=reason,
                data={"store_key": store_key, "car_id": car.pk, "car": label, "reason": reason}, link=link)


def _lead_data(lead) -> dict:
    contact = lead.contact_name or (lead.buyer.get_username() if lead.buyer_id else "")
    return {"lead_id": lead.pk, "schema": connection.schema_name, "contact_name": contact,
            "car": _car_label(lead.car) if lead.car_id else ""}


@receiver(leads.lead_assigned, dispatch_uid="wiring.lead_assigned")
def lead_assigned(sender, *, lead, agent, **kwargs):
    if agent is not None:
        data = _lead_data(lead)
        who = data["contact_name"] or "a customer"
        notify(recipient=agent, kind="lead_assigned", title=f"A new lead is yours: {who}", data=data,
               link=links.lead(connection.schema_name, lead.pk))


@receiver(leads.lead_status_changed, dispatch_uid="wiring.lead_status_changed")
def lead_status_changed(sender, *, lead, old_status, new_status, by=None, **kwargs):
    from django_leads.models import LeadStatus

    recipients = {u.pk: u for u in _dealership_staff(connection.schema_name)}
    if lead.agent_id:
        recipients[lead.agent_id] = lead.agent
    if by is not None:
        recipients.pop(by.pk, None)
    data = {**_lead_data(lead), "old_status": LeadStatus(old_status).label, "new_status": LeadStatus(new_status).label,
            "by": by.get_username() if by is not None else ""}
    notify_many(recipients=recipients.values(), kind="lead_status_changed",
                title=f"Lead {data['contact_name'] or lead.pk} moved from {data['old_status']} to {data['new_status']}",
                data=data, link=links.lead(connection.schema_name, lead.pk))


def _order_data(order) -> dict:
    return {"order_id": str(order.pk), "side": order.get_side_display(), "volume": order.volume,
            "ticker": order.ticker, "price": str(order.price) if order.price is not None else ""}


@receiver(trading.trade_settled, dispatch_uid="wiring.trade_settled")
def trade_settled(sender, *, order, **kwargs):
    data = _order_data(order)
    notify(recipient=order.user, kind="trade_settled",
           title=f"{data['side']} {order.volume} {order.ticker} settled at {money(order.price)}",
           data=data, link=links.trading())


@receiver(trading.order_rejected, dispatch_uid="wiring.order_rejected")
def order_rejected(sender, *, order, **kwargs):
    data = {**_order_data(order), "reason": order.get_reason_display()}
    notify(recipient=order.user, kind="trade_rejected",
           title=f"Your order to {data['side'].lower()} {order.volume} {order.ticker} was refused: "
                 f"{data['reason'].lower()}", data=data, link=links.trading())


@receiver(wallet.credit_request_decided, dispatch_uid="wiring.credit_request_decided")
def credit_request_decided(sender, *, credit_request, **kwargs):
    requester = getattr(credit_request, "requested_by", None)
    if requester is not None:
        status = credit_request.get_status_display()
        notify(recipient=requester, kind="credit_request_decided",
               title=f"Your credit request for {money(credit_request.amount)} was {status.lower()}",
               data={"credit_request_id": credit_request.pk, "status": status, "amount": str(credit_request.amount)},
               link=links.wallet())


# --- the dealership's books -------------------------------------------------------------------

@receiver(cars.car_purchased, dispatch_uid="wiring.book_car_sale")
def book_car_sale(sender, *, store_key, sale, **kwargs):
    if store_key and sale is not None:  # a dealership's car; private sales aren't a business's income
        with schema_context(store_key):
            books.book_car_sale(sale)


@receiver(leads.sale_closed, dispatch_uid="wiring.book_lead_sale")
def book_lead_sale(sender, *, sale, **kwargs):
    if sale.payment == "offline":  # platform payments are booked from car_purchased above
        books.book_offline_sale(sale)
    for commission in sale.commissions.all():
        books.book_commission_accrued(commission)


@receiver(leads.commission_paid, dispatch_uid="wiring.book_commission")
def book_commission(sender, *, commission, **kwargs):
    books.book_commission_paid(commission)


@receiver(payroll.payroll_run_paid, dispatch_uid="wiring.book_payroll_run")
def book_payroll_run(sender, *, run, **kwargs):
    books.book_payroll_run(run)


@receiver(wallet.transaction_posted, dispatch_uid="wiring.book_wallet_transaction")
def book_wallet_transaction(sender, *, transaction, **kwargs):
    books.book_wallet_transaction(transaction)


@receiver(payroll.payroll_run_paid, dispatch_uid="wiring.payroll_run_paid")
def payroll_run_paid(sender, *, run, **kwargs):
    users = [slip.employee.user for slip in run.payslips.select_related("employee__user") if slip.employee.user_id]
    notify_many(recipients=users, kind="payroll_paid", title=f"Your pay for {run.period:%B %Y} has been paid",
                data={"run_id": run.pk, "schema": connection.schema_name, "period": run.period.isoformat(),
                      "dealership": _store_name(connection.schema_name)}, link=links.payslips(connection.schema_name))


# --- caches -----------------------------------------------------------------------------------

# The dealer dashboard sums these rows (demo/glue/dashboard.py): any save or delete forgets the dealership's
# cached figures once its transaction commits.
DASHBOARD_SOURCES = ("leads.Lead", "leads.Sale", "leads.Commission", "car_listing.StoreSale",
                     "books.JournalEntry")


def _dashboard_changed(sender, **kwargs):
    dashboard.invalidate_on_commit()


for _model in DASHBOARD_SOURCES:
    post_save.connect(_dashboard_changed, sender=_model, dispatch_uid=f"wiring.dashboard.save.{_model}")
    post_delete.connect(_dashboard_changed, sender=_model, dispatch_uid=f"wiring.dashboard.delete.{_model}")
