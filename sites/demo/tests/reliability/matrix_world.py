"""One small, complete world for the permission matrix and the isolation probes.

Users: one per role of permission_table.ROLES (the dealership roles are members of dealer1 only), plus
`both` (dealer in dealer1 AND dealer2) and `d2_dealer` (dealer in dealer2 only) for the isolation probes.
Every tenant-scoped object exists in both dealerships (created through the packages' services), and every
dealer2 id is made to be absent from dealer1 (and the other way round), so "dealer2's id on dealer1's host"
can only be answered from the wrong schema, never by coincidence from the right one.

Built once per test module inside a transaction that is rolled back at the end (see `module_world`).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context

SCHEMAS = ("dealer1", "dealer2")
DEALERSHIP_ROLES = ("dealer", "dealer_staff", "broker", "sales_agent", "accountant", "hr")
PASSWORD = "a-Strong-passw0rd"
TICKER = "MTRX"
VINS = {  # valid check digits; one set per store ("" = the public store)
    "": ("1M8GDM9AXKP042788", "1HGCM82633A004352"),
    "dealer1": ("1M8GDM9AXKP042788", "1HGCM82633A004352", "2HGFG12878H512345"),
    "dealer2": ("1M8GDM9AXKP042788", "1HGCM82633A004352", "2HGFG12878H512345"),
}
# Tenant tables whose dealer2 ids must not exist in dealer1 (and vice versa).
TENANT_MODELS = ("car_listing.Car", "car_listing.CarImage", "leads.Lead", "leads.Sale", "leads.Commission",
                 "leads.CommissionRule", "payroll.Employee", "payroll.SalaryStructure", "payroll.PayrollRun",
                 "payroll.Payslip", "books.JournalEntry")


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="car.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@dataclass
class Store:
    """Ids of one dealership's objects (all in its own schema)."""

    car_listed: int = 0  # verified and on sale (the marketplace shows it)
    car_draft: int = 0  # inventory only, not on sale
    image: int = 0  # an image of car_draft
    lead: int = 0  # assigned to the sales_agent user
    sale: int = 0
    commission: int = 0  # accrued, for the sales agent's won lead
    employee: int = 0  # linked to the broker user (an employee without a payroll role)
    salary: int = 0
    run: int = 0  # calculated, not approved
    payslip: int = 0  # the employee's payslip of a paid run
    entry: int = 0  # a journal entry of other income: 250.00 in dealer1, 777.00 in dealer2 (tells the reports apart)
    entry_amount: str = ""
    commission_rule: int = 0
    business_account: int = 0  # the dealership's wallet account
    books_entry: int = 0  # a journal entry of January, a closed period (its reversal there is refused)
    invoice: int = 0  # the invoice number of a sale in the books
    ledger_code: str = "1000"  # the cash account of the default chart
    vehicle: int = 0  # a vehicle of the books (car_draft's id) with its acquisition cost booked
    agent_user: int = 0
    member: int = 0  # the membership of a sales agent who is none of the role users


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role name -> user (no entry for anonymous)
    stores: dict = field(default_factory=dict)  # schema -> Store
    pub_draft: int = 0  # a private seller's (the buyer's) car, not on sale
    pub_listed: int = 0  # the buyer's car, verified and on sale
    pub_image: int = 0
    credit_request: int = 0  # the buyer's, pending
    order: str = ""  # the buyer's trading order (uuid)
    notifications: dict = field(default_factory=dict)  # role -> the user's own notification id
    accounts: dict = field(default_factory=dict)  # role -> the user's own wallet account id
    refresh: str = ""  # a refresh token of the buyer

    def params(self, schema: str, role: str) -> dict:
        """Values for the {names} of permission_table paths and bodies, for `role` asking on `schema`."""
        store = self.stores.get(schema, Store())
        buyer = self.users["buyer"]
        me = self.users.get(role)
        return {
            **{k: getattr(store, k) for k in Store.__dataclass_fields__},
            "pub_draft": self.pub_draft, "pub_listed": self.pub_listed, "pub_image": self.pub_image,
            "credit_request": self.credit_request, "order": self.order, "ticker": TICKER,
            "buyer": buyer.pk, "buyer_name": buyer.username,
            "me_name": me.username if me else "fresh-trader", "password": PASSWORD,
            "notification": self.notifications.get(role, self.notifications["buyer"]),
            "account": self.accounts.get(role, self.accounts["buyer"]),
            "refresh": self.refresh, "slug": "dealer1", "store": schema,
        }


def _user(username, **extra):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def _bump_sequences(schemas=SCHEMAS) -> None:
    """Start each dealership's ids in a disjoint range (ids restart per schema: an id of dealer2 must not
    also name a row of dealer1). Sequences are not transactional: they stay bumped, which is harmless."""
    from django.apps import apps

    with connection.cursor() as cursor:
        for offset, schema in enumerate(schemas, start=1):
            for label in TENANT_MODELS:
                table = apps.get_model(label)._meta.db_table
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f"{schema}.{table}"])
                (seq,) = cursor.fetchone()
                if seq:
                    # dealer1 ids in [1e6, 2e6), dealer2 ids in [2e6, 3e6): never the same row number.
                    cursor.execute("SELECT setval(%s, GREATEST(nextval(%s), %s))", [seq, seq, offset * 1_000_000])


def _store(schema: str, users: dict, admin) -> Store:
    from demo.glue import hooks
    from django_car_listing import services as cars
    from django_leads import services as leads
    from django_payroll import services as payroll
    from django_wallet import services as wallet

    s = Store()
    staff = users["dealer_staff"] if schema == "dealer1" else users["d2_dealer"]
    agent = users["sales_agent"] if schema == "dealer1" else users["d2_agent"]
    employee_user = users["broker"] if schema == "dealer1" else users["d2_dealer"]
    vins = VINS[schema]
    tag = schema.upper()  # in every name, so a page can be searched for the other dealership's rows
    with schema_context(schema):
        listed = cars.car_create(actor=staff, store_key=schema, make="Volvo", model=f"V60 {tag}", year=2021,
                                 price=Decimal("12000.00"), vin=vins[0])
        cars.car_verify(actor=admin, store_key=schema, car_id=listed.pk)
        cars.car_put_on_sale(actor=staff, store_key=schema, car_id=listed.pk)
        draft = cars.car_create(actor=staff, store_key=schema, make="Saab", model=f"9-3 {tag}", year=2008,
                                price=Decimal("3000.00"), vin=vins[1])
        s.image = cars.car_image_add(actor=staff, store_key=schema, car_id=draft.pk, upload=png_upload()).pk
        sold = cars.car_create(actor=staff, store_key=schema, make="Audi", model="A4", year=2019,
                               price=Decimal("15000.00"), vin=vins[2])
        s.car_listed, s.car_draft, s.agent_user = listed.pk, draft.pk, agent.pk

        s.commission_rule = leads.commission_rule_set(kind="flat", amount=Decimal("100.00"), role="sales_agent").pk
        s.lead = leads.lead_create(car=listed, by=staff, contact_name=f"Ann {tag}", agent=agent).pk
        won = leads.lead_create(car=sold, by=staff, contact_name=f"Bob {tag}", agent=agent)
        for step in ("contacted", "qualified", "negotiating"):
            won = leads.lead_update_status(lead=won, status=step, by=staff)
        won = leads.lead_update_status(lead=won, status="won", by=staff, agreed_price=Decimal("14500.00"),
                                       payment="offline")
        from django_leads.models import Commission, Sale

        sale = Sale.objects.get(lead=won)
        s.sale, s.commission = sale.pk, Commission.objects.get(sale=sale).pk

        employee = payroll.employee_create(first_name="Eve", last_name=f"Mech {tag}", hire_date=dt.date(2020, 1, 1),
                                           user=employee_user, department="Workshop")
        s.employee = employee.pk
        s.salary = payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1),
                                         base_salary=Decimal("3000.00")).pk
        # January is paid (so the employee sees that payslip); February is calculated, for the run actions.
        wallet.deposit(account=hooks.store_account(schema), amount=Decimal("20000.00"))
        paid = payroll.run_calculate(run=payroll.run_create(period=dt.date(2026, 1, 1), created_by=staff))
        paid = payroll.run_pay(run=payroll.run_approve(run=paid, approved_by=staff), paid_by=staff)
        s.payslip = paid.payslips.get(employee=employee).pk
        s.run = payroll.run_calculate(run=payroll.run_create(period=dt.date(2026, 2, 1), created_by=staff)).pk
        s.entry_amount = "250.00" if schema == "dealer1" else "777.00"
        s.entry = _other_income(Decimal(s.entry_amount), f"matrix {tag}")
        s.business_account = hooks.store_account(schema).pk
        s.books_entry, s.invoice = _books(draft)
        s.vehicle = draft.pk
    from tenancy.models import Dealership
    from tenancy.services import membership_grant

    s.member = membership_grant(user=_user(f"mx-member-{schema}"), dealership=Dealership.objects.get(
        schema_name=schema), role="sales_agent").pk
    return s


def _other_income(amount: Decimal, memo: str) -> int:
    """A manual journal entry of other income paid in cash, in February (January gets closed)."""
    from django_books import services as books

    entry, _ = books.entry_post(date=dt.date(2026, 2, 5), memo=memo, lines=[
        books.debit("cash", amount), books.credit("other_income", amount)])
    return entry.pk


def _books(draft) -> tuple[int, int]:
    """A January sale in the books, January closed, the draft car's acquisition cost booked."""
    from django_books import services as books

    sale, _ = books.sale_post(key="matrix:1", gross=Decimal("1200.00"), sold_on=dt.date(2026, 1, 10),
                              description="matrix sale", source_type="lead_sale", source_id=1, paid_into="cash")
    books.period_close(through=dt.date(2026, 1, 31))
    books.vehicle_cost_add(vehicle_id=draft.pk, kind="acquisition", amount=Decimal("2000.00"),
                           incurred_on=dt.date(2026, 2, 1))
    return sale.entry_id, sale.invoice_number


def build_world() -> World:
    from rest_framework_simplejwt.tokens import RefreshToken

    from django_car_listing import services as cars
    from django_notifications import services as notifications
    from django_trading import services as trading
    from django_wallet import services as wallet
    from tenancy.models import Dealership
    from tenancy.services import membership_grant

    connection.set_schema_to_public()
    _bump_sequences()
    d1, d2 = Dealership.objects.get(slug="dealer1"), Dealership.objects.get(slug="dealer2")
    w = World()
    w.users["buyer"] = _user("mx-buyer")
    w.users["admin"] = _user("mx-admin", is_staff=True, is_superuser=True)
    for role in DEALERSHIP_ROLES:
        w.users[role] = _user(f"mx-{role}")
        membership_grant(user=w.users[role], dealership=d1, role=role)
    w.users["both"] = _user("mx-both")
    membership_grant(user=w.users["both"], dealership=d1, role="dealer")
    membership_grant(user=w.users["both"], dealership=d2, role="dealer")
    w.users["d2_dealer"] = _user("mx-d2-dealer")
    membership_grant(user=w.users["d2_dealer"], dealership=d2, role="dealer")
    w.users["d2_agent"] = _user("mx-d2-agent")
    membership_grant(user=w.users["d2_agent"], dealership=d2, role="sales_agent")

    admin, buyer = w.users["admin"], w.users["buyer"]
    for schema in SCHEMAS:
        w.stores[schema] = _store(schema, w.users, admin)

    connection.set_schema_to_public()
    draft = cars.car_create(actor=buyer, store_key="", make="Ford", model="Focus", year=2015,
                            price=Decimal("4000.00"), vin=VINS[""][0])
    w.pub_image = cars.car_image_add(actor=buyer, store_key="", car_id=draft.pk, upload=png_upload()).pk
    listed = cars.car_create(actor=buyer, store_key="", make="Fiat", model="Panda", year=2017,
                             price=Decimal("3500.00"), vin=VINS[""][1])
    cars.car_verify(actor=admin, store_key="", car_id=listed.pk)
    cars.car_put_on_sale(actor=buyer, store_key="", car_id=listed.pk)
    w.pub_draft, w.pub_listed = draft.pk, listed.pk

    for role, user in w.users.items():
        w.accounts[role] = wallet.account_for(user).pk
        w.notifications[role] = notifications.notify(recipient=user, kind="matrix", title="Hello").pk
    w.credit_request = wallet.credit_request_create(account=wallet.account_for(buyer), amount=Decimal("50.00"),
                                                    requested_by=buyer).pk
    price = Decimal("10.00")
    trading.bars_ingest(bars=[{"ticker": TICKER, "open": price, "high": price, "low": price, "close": price,
                               "volume": 1000, "timestamp": datetime(2026, 1, 2, tzinfo=UTC)}])
    # A resting limit buy holds its cash (limit x volume) in the wallet: fund the trading account first.
    trading.trader_fund(username=buyer.get_username(), amount=Decimal("10.00"))
    order, _ = trading.order_create(user=buyer, ticker=TICKER, side="buy", volume=1, order_type="limit",
                                    limit_price=Decimal("1.00"))
    w.order = str(order.pk)
    w.refresh = str(RefreshToken.for_user(buyer))
    return w
