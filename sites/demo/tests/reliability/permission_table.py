"""Who may call which API operation: the one table behind tests/reliability/test_permission_matrix.py and
docs/permissions.md (regenerate with `python -m tests.reliability.permission_table` from sites/demo; a test
fails when the file and the table differ).

Every row is one operation: a host kind, a method and a path. "public" rows are served at the base domain
(the marketplace, public schema); "dealer" rows on a dealership's host (its schema). A dealer row is asked
twice per role: on dealer1's host (own: the dealership roles below are members of dealer1) and on dealer2's
host (other: the same users, not members there), each time with that host's own objects.

A cell is the exact status the request gets: a 2xx, or a business 4xx named in the row's note that proves the
permission check passed (409 insufficient funds, 400 on a rule of the data), or the refusal: 401 not signed in,
403 signed in but not allowed, 404 not visible to this user (a hidden object is indistinguishable from a
missing one).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("anonymous", "buyer", "dealer", "dealer_staff", "broker", "sales_agent", "accountant", "hr", "admin")
MEMBERS = ("dealer", "dealer_staff", "broker", "sales_agent", "accountant", "hr")
SIGNED_IN = ("buyer", *MEMBERS, "admin")
ROLE_NOTES = {
    "anonymous": "no session, no token",
    "buyer": "signed in, no membership anywhere",
    "admin": "platform admin: is_staff and is_superuser, as `seed_demo` creates it",
}
# Paths a dealership host serves to anyone (demo.http.members_only.OPEN_PREFIXES) or to any signed-in user
# (SIGNED_IN_PREFIXES); every other path there is for the dealership's members and platform staff only.
OPEN_PREFIXES = ("/api/auth/", "/api/schema/", "/api/docs/", "/api/redoc/")
SIGNED_IN_PREFIXES = ("/api/payroll/payslips/",)


@dataclass(frozen=True)
class Op:
    host: str  # "public" | "dealer"
    method: str
    path: str  # {name}s are world ids (tests/reliability/matrix_world.py World.params)
    own: dict  # role -> status on its own dealership's host (dealer rows) or on the public host
    other: dict = field(default_factory=dict)  # role -> status on the other dealership's host, when not derived
    body: object = None  # JSON body ("{name}" strings are world ids); "png" = multipart image upload
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.host, self.method, self.path

    def expected(self, role: str, where: str) -> int:
        """where: "public", "own" (dealer1's host) or "other" (dealer2's host)."""
        if where != "other":
            return self.own[role]
        if role in self.other:
            return self.other[role]
        # Derived: on a dealership where they are not members, the dealer1 roles are refused at the door,
        # like a buyer; anonymous visitors and platform admins fare as on their own host.
        if role in MEMBERS and not self.path.startswith(OPEN_PREFIXES + SIGNED_IN_PREFIXES):
            return 403
        return self.own[role]


def cells(ok: int, *allowed: str, refused: int = 403, anon: int = 401, host: str = "dealer", **special: int) -> dict:
    """Status per role: `ok` for `allowed`, `refused` for the other signed-in roles, `anon` for anonymous.

    On a dealership host a buyer is refused at the door (403) unless the path is open to every signed-in
    user; pass buyer=... for those."""
    table = dict.fromkeys(SIGNED_IN, refused)
    table.update(dict.fromkeys(allowed, ok))
    table["anonymous"] = anon
    if host == "dealer":
        table["buyer"] = 403
    table.update(special)
    assert set(table) == set(ROLES), table
    return table


def everyone(ok: int, **special) -> dict:
    return cells(ok, *SIGNED_IN, anon=ok, host="public", **special)


def signed_in(ok: int, host: str = "dealer", **special) -> dict:
    return cells(ok, *SIGNED_IN, host=host, **special)


CAR_BODY = {"make": "Volvo", "model": "XC40", "year": 2022, "price": "31000.00", "vin": "5YJSA1DG9DFP14705"}


def _shared(host: str) -> list[Op]:
    """Operations both hosts serve (demo.urls_common): auth, OpenAPI, wallet, notifications, trading, cars."""
    P = host == "public"

    def sig(ok, **kw):  # any signed-in user (on a dealership host: its members and platform admins)
        return signed_in(ok, host=host, **kw)

    def only(ok, *roles, **kw):
        return cells(ok, *roles, host=host, **kw)

    ops = [
        Op(host, "POST", "/api/auth/register/", everyone(201),
           body={"username": "mx-new", "password": "an-0ther-Strong-pass", "email": "new@example.com"}),
        Op(host, "POST", "/api/auth/token/", everyone(200), body={"username": "{buyer_name}", "password": "{password}"},
           note="anyone may sign in (rate limited)"),
        Op(host, "POST", "/api/auth/token/refresh/", everyone(200), body={"refresh": "{refresh}"}),
        Op(host, "GET", "/api/auth/me/", signed_in(200, host="public")),
        Op(host, "GET", "/api/schema/", everyone(200)),
        Op(host, "GET", "/api/docs/", everyone(200)),
        Op(host, "GET", "/api/redoc/", everyone(200)),
        Op(host, "GET", "/api/ping/", everyone(200) if P else signed_in(200),
           note="the benchmarks' reference; on a dealership host behind its members-only door"),
        # wallet: each user sees and moves only their own money; platform admins also decide credit requests
        Op(host, "GET", "/api/wallet/accounts/", sig(200)),
        Op(host, "GET", "/api/wallet/accounts/{account}/statement/", sig(200), note="the caller's own account"),
        Op(host, "GET", "/api/wallet/accounts/{account}/statement.csv", sig(200), note="the caller's own account"),
        Op(host, "POST", "/api/wallet/transfers/", sig(409, buyer=400 if P else 403, broker=201),
           body={"to_user": "{buyer}", "amount": "5.00"},
           note="to the buyer: 409 an empty wallet (insufficient_funds); the broker was paid a salary; "
                "400 same_account for the buyer"),
        Op(host, "GET", "/api/wallet/credit-requests/", sig(200)),
        Op(host, "POST", "/api/wallet/credit-requests/", sig(201), body={"amount": "100.00"}),
        Op(host, "GET", "/api/wallet/credit-requests/all/", only(200, "admin")),
        Op(host, "POST", "/api/wallet/credit-requests/{credit_request}/approve/", only(200, "admin")),
        Op(host, "POST", "/api/wallet/credit-requests/{credit_request}/reject/", only(200, "admin")),
        Op(host, "GET", "/api/wallet/charge-sales/", sig(200)),
        Op(host, "POST", "/api/wallet/charge-sales/", sig(409, broker=201),
           body={"phone": "+44 7911 123456", "amount": "10.00"},
           note="409: an empty wallet; the broker was paid a salary"),
        Op(host, "POST", "/api/wallet/batches/", sig(200),
           body={"items": [{"type": "charge_sale", "phone": "+44 7911 123456", "amount": "1.00"}]},
           note="out of the caller's own account: 200 with each item posted or refused (an empty wallet's item is "
                "refused insufficient_funds)"),
        Op(host, "GET", "/api/wallet/staff/accounts/", only(200, "admin")),
        # notifications: only one's own
        Op(host, "GET", "/api/notifications/", sig(200)),
        Op(host, "GET", "/api/notifications/unread-count/", sig(200)),
        Op(host, "POST", "/api/notifications/{notification}/read/", sig(200), note="the caller's own notification"),
        Op(host, "POST", "/api/notifications/read-all/", sig(200)),
        Op(host, "GET", "/api/notifications/preferences/", sig(200)),
        Op(host, "PUT", "/api/notifications/preferences/", sig(200),
           body={"preferences": [{"kind": "matrix", "channel": "email", "enabled": False}]}),
        # trading: a trader sees only themselves; admins see everyone and ingest prices
        Op(host, "POST", "/api/trading/users/", cells(409, *SIGNED_IN, anon=201 if P else 401, host=host),
           body={"username": "{me_name}", "password": "an-0ther-Strong-pass", "balance": "0"},
           note="creates a trader once: 201 a new username, 409 trader_exists for an existing one (the caller's)"),
        Op(host, "POST", "/api/trading/deposits/", sig(409, broker=201), body={"amount": "5.00"},
           note="from the caller's own wallet: 409 an empty one (insufficient_funds); the broker was paid a salary"),
        Op(host, "POST", "/api/trading/withdrawals/", sig(409, buyer=201 if P else 403), body={"amount": "5.00"},
           note="back to the caller's own wallet: the buyer's trading account holds 10.00 (9.00 free); 409 an "
                "empty one (insufficient_funds)"),
        Op(host, "GET", "/api/trading/users/{buyer_name}/", only(200, "buyer", "admin")
           if P else only(200, "admin"), note="the buyer's trader page"),
        Op(host, "GET", "/api/trading/stocks/", sig(200)),
        Op(host, "POST", "/api/trading/stocks/", only(201, "admin"),
           body={"ticker": "{ticker}", "open": "10.00", "high": "11.00", "low": "9.00", "close": "10.50",
                 "volume": 10, "timestamp": "2026-01-03T00:00:00Z"}),
        Op(host, "GET", "/api/trading/stocks/{ticker}/", sig(200)),
        Op(host, "POST", "/api/trading/orders/", sig(202), note="202: accepted, settled asynchronously",
           body={"ticker": "{ticker}", "side": "buy", "volume": 1}),
        Op(host, "GET", "/api/trading/orders/", sig(200), note="the caller's own orders"),
        Op(host, "POST", "/api/trading/transactions/", sig(202), note="POST /orders/ under transaction_* names",
           body={"ticker": "{ticker}", "transaction_type": "buy", "transaction_volume": 1}),
        Op(host, "GET", "/api/trading/transactions/{buyer}/", only(200, "buyer", "admin") if P else only(200, "admin"),
           note="the buyer's order history"),
        Op(host, "GET", "/api/trading/transactions/{buyer}/{start}/{end}/",
           only(200, "buyer", "admin") if P else only(200, "admin"), note="start=2026-01-01, end=2026-12-31"),
        Op(host, "GET", "/api/trading/orders/{order}/", only(200, "buyer", "admin", refused=404)
           if P else only(200, "admin", refused=404), note="the buyer's order: 404 to others"),
        Op(host, "POST", "/api/trading/orders/{order}/cancel/", only(200, "buyer", refused=404)
           if P else only(200, refused=404), note="only the owner cancels; 404 to others"),
    ]
    ops += _cars_public() if P else _cars_dealer()
    return ops


def _cars_public() -> list[Op]:
    """The marketplace store: private sellers' cars ({pub_draft}: the buyer's car, not on sale)."""
    h = "public"

    def owner(ok, others=404, admin=403, **kw):  # others cannot see the unlisted car; the admin verifies it
        return cells(ok, "buyer", refused=others, host=h, admin=admin, **kw)

    return [
        Op(h, "GET", "/api/cars/", everyone(200)),
        Op(h, "GET", "/api/cars/facets/", everyone(200)),
        Op(h, "POST", "/api/cars/", signed_in(201, host=h), body=CAR_BODY),
        Op(h, "GET", "/api/cars/mine/", signed_in(200, host=h)),
        Op(h, "GET", "/api/cars/purchases/", signed_in(200, host=h)),
        Op(h, "GET", "/api/cars/saved/", signed_in(200, host=h)),
        Op(h, "GET", "/api/cars/{pub_draft}/", owner(200, anonymous=404, admin=200),
           note="an unlisted car: its owner and verifiers only"),
        Op(h, "PATCH", "/api/cars/{pub_draft}/", owner(200), body={"price": "3900.00"}),
        Op(h, "PUT", "/api/cars/{pub_draft}/", owner(200), body={"price": "3800.00"}),
        Op(h, "DELETE", "/api/cars/{pub_draft}/", owner(204)),
        Op(h, "GET", "/api/cars/{pub_draft}/analytics/", owner(200)),
        Op(h, "GET", "/api/cars/{pub_draft}/history/", owner(200, anonymous=404, admin=200)),
        Op(h, "POST", "/api/cars/{pub_draft}/images/", owner(201), body="png"),
        Op(h, "POST", "/api/cars/{pub_draft}/images/reorder/", owner(200), body={"ids": ["{pub_image}"]}),
        Op(h, "DELETE", "/api/cars/{pub_draft}/images/{pub_image}/", owner(204)),
        Op(h, "POST", "/api/cars/{pub_draft}/put-on-sale/", owner(200),
           note="listed; the marketplace shows it once verified"),
        Op(h, "POST", "/api/cars/{pub_draft}/feature/", owner(409), body={"days": 1},
           note="409: the featuring fee meets an empty wallet"),
        Op(h, "POST", "/api/cars/{pub_draft}/verify/", cells(200, "admin", refused=404, buyer=403, host=h)),
        Op(h, "POST", "/api/cars/{pub_draft}/reject/", cells(200, "admin", refused=404, buyer=403, host=h),
           body={"reason": "blurry"}),
        Op(h, "POST", "/api/cars/{pub_listed}/return-from-sale/", owner(200, others=403)),
        Op(h, "POST", "/api/cars/{pub_listed}/buy/", signed_in(409, host=h),
           note="409: own_car for its owner, insufficient_funds for everyone else"),
        Op(h, "POST", "/api/cars/{pub_listed}/save/", signed_in(201, host=h)),
        Op(h, "POST", "/api/cars/{pub_listed}/unsave/", signed_in(204, host=h)),
        Op(h, "POST", "/api/cars/{pub_listed}/track/", everyone(200), body={"kind": "view"}),
    ]


INVENTORY = ("dealer", "dealer_staff", "admin")


def _cars_dealer() -> list[Op]:
    """A dealership's inventory on its host ({car_draft}: not on sale; {car_listed}: on the marketplace)."""
    def inv(ok, refused=404, **kw):  # the other roles cannot see an unlisted car of the inventory
        return cells(ok, *INVENTORY, refused=refused, **kw)

    return [
        Op("dealer", "GET", "/api/cars/", signed_in(200)),
        Op("dealer", "GET", "/api/cars/facets/", signed_in(200)),
        Op("dealer", "POST", "/api/cars/", inv(201, refused=403), body=CAR_BODY),
        Op("dealer", "GET", "/api/cars/mine/", inv(200, refused=403), note="the dealership's inventory"),
        Op("dealer", "GET", "/api/cars/purchases/", signed_in(200)),
        Op("dealer", "GET", "/api/cars/saved/", signed_in(200)),
        Op("dealer", "GET", "/api/cars/{car_draft}/", inv(200)),
        Op("dealer", "PATCH", "/api/cars/{car_draft}/", inv(200), body={"price": "2900.00"}),
        Op("dealer", "PUT", "/api/cars/{car_draft}/", inv(200), body={"price": "2800.00"}),
        Op("dealer", "DELETE", "/api/cars/{car_draft}/", inv(204)),
        Op("dealer", "GET", "/api/cars/{car_draft}/analytics/", inv(200)),
        Op("dealer", "GET", "/api/cars/{car_draft}/history/", inv(200)),
        Op("dealer", "POST", "/api/cars/{car_draft}/images/", inv(201), body="png"),
        Op("dealer", "POST", "/api/cars/{car_draft}/images/reorder/", inv(200), body={"ids": ["{image}"]}),
        Op("dealer", "DELETE", "/api/cars/{car_draft}/images/{image}/", inv(204)),
        Op("dealer", "POST", "/api/cars/{car_draft}/put-on-sale/", inv(200),
           note="listed; the marketplace shows it once verified"),
        Op("dealer", "POST", "/api/cars/{car_draft}/feature/", inv(200), body={"days": 1},
           note="paid from the dealership's wallet"),
        Op("dealer", "POST", "/api/cars/{car_draft}/verify/", inv(200, dealer=403, dealer_staff=403),
           note="platform staff only, never the dealership's own people"),
        Op("dealer", "POST", "/api/cars/{car_draft}/reject/", inv(200, dealer=403, dealer_staff=403),
           body={"reason": "blurry"}),
        Op("dealer", "POST", "/api/cars/{car_listed}/return-from-sale/", inv(200, refused=403)),
        Op("dealer", "POST", "/api/cars/{car_listed}/buy/", signed_in(409), note="409: insufficient_funds"),
        Op("dealer", "POST", "/api/cars/{car_listed}/save/", signed_in(201)),
        Op("dealer", "POST", "/api/cars/{car_listed}/unsave/", signed_in(204)),
        Op("dealer", "POST", "/api/cars/{car_listed}/track/", signed_in(200), body={"kind": "view"}),
    ]


def _public_only() -> list[Op]:
    h = "public"
    return [
        Op(h, "GET", "/api/dealerships/", signed_in(200, host=h), note="admins: all; others: their memberships"),
        Op(h, "POST", "/api/dealerships/", cells(400, "admin", host=h), body={},
           note="400: an empty body reaches validation (a valid one creates a schema: tests/test_tenancy.py)"),
        Op(h, "POST", "/api/dealerships/{slug}/follow/", signed_in(204, host=h)),
        Op(h, "DELETE", "/api/dealerships/{slug}/follow/", signed_in(204, host=h)),
        Op(h, "POST", "/api/marketplace/contact/", signed_in(201, host=h),
           body={"store_key": "dealer1", "car_id": "{car_listed}", "message": "Still available?"},
           note="a lead in dealer1's schema (dealer1's listed car)"),
    ]


LEAD_MANAGERS = ("dealer", "dealer_staff", "admin")
LEAD_WORKERS = ("dealer", "dealer_staff", "broker", "sales_agent", "admin")
HR_ROLES = ("dealer", "hr", "admin")
PAYROLL = ("dealer", "accountant", "admin")
EMPLOYEE_READERS = ("dealer", "accountant", "hr", "admin")


def _leads() -> list[Op]:
    d = "dealer"
    # {lead} is assigned to the sales agent: managers and that agent see it; anyone else gets a 404.
    seen = cells(200, *LEAD_MANAGERS, "sales_agent", refused=404)
    return [
        Op(d, "GET", "/api/leads/", signed_in(200), note="managers see all leads, everyone else their own"),
        Op(d, "POST", "/api/leads/", cells(201, *LEAD_WORKERS), body={"car": "{car_listed}", "contact_name": "C"}),
        Op(d, "GET", "/api/leads/{lead}/", seen),
        Op(d, "PATCH", "/api/leads/{lead}/", seen, body={"notes": "called back"}),
        Op(d, "PATCH", "/api/leads/{lead}/update_status/", seen, body={"status": "contacted"}),
        Op(d, "POST", "/api/leads/{lead}/assign/", cells(200, *LEAD_MANAGERS, refused=404, sales_agent=403),
           body={"agent": "{agent_user}"}, note="404 to whoever cannot see the lead; its agent may not assign"),
        Op(d, "GET", "/api/leads/{lead}/timeline/", seen),
        Op(d, "POST", "/api/leads/contact/", signed_in(201), body={"car": "{car_listed}", "message": "Hi"}),
        Op(d, "GET", "/api/leads/analytics/", cells(200, *LEAD_MANAGERS)),
        Op(d, "GET", "/api/leads/sales/", signed_in(200), note="sale viewers see all, agents their own"),
        Op(d, "GET", "/api/leads/commissions/", signed_in(200), note="commission viewers see all, agents their own"),
        Op(d, "POST", "/api/leads/commissions/{commission}/payout/", cells(200, "dealer", "accountant", "admin"),
           note="paid from the dealership's wallet"),
        Op(d, "GET", "/api/leads/commission-rules/", cells(200, *LEAD_MANAGERS)),
        Op(d, "POST", "/api/leads/commission-rules/", cells(201, *LEAD_MANAGERS),
           body={"kind": "percent", "percent": "2.5000", "role": "broker"}),
        Op(d, "GET", "/api/leads/agents/", cells(200, *LEAD_MANAGERS)),
        Op(d, "GET", "/api/leads/assignment-rule/", cells(200, *LEAD_MANAGERS)),
        Op(d, "PUT", "/api/leads/assignment-rule/", cells(200, *LEAD_MANAGERS), body={"strategy": "round_robin"}),
    ]


def _payroll() -> list[Op]:
    d = "dealer"
    payslip_readers = ("dealer", "accountant", "hr", "admin")
    # {payslip} belongs to the employee linked to the broker user (an employee without a payroll role).
    own_payslip = signed_in(404, buyer=404, **dict.fromkeys((*payslip_readers, "broker"), 200))
    on_other = dict.fromkeys(MEMBERS, 404)  # any signed-in user reaches payslips; dealer2's are not theirs
    ops = [
        Op(d, "GET", "/api/hr/employees/", cells(200, *EMPLOYEE_READERS)),
        Op(d, "POST", "/api/hr/employees/", cells(201, *HR_ROLES),
           body={"first_name": "New", "last_name": "Hire", "hire_date": "2026-02-01"}),
        Op(d, "GET", "/api/hr/employees/{employee}/", cells(200, *EMPLOYEE_READERS)),
        Op(d, "PATCH", "/api/hr/employees/{employee}/", cells(200, *HR_ROLES), body={"position": "Lead mechanic"}),
        Op(d, "POST", "/api/hr/employees/{employee}/terminate/", cells(200, *HR_ROLES),
           body={"termination_date": "2026-12-31"}),
        Op(d, "GET", "/api/hr/employees/{employee}/history/", cells(200, *EMPLOYEE_READERS)),
        Op(d, "GET", "/api/hr/employees/{employee}/salaries/", cells(200, *HR_ROLES)),
        Op(d, "POST", "/api/hr/employees/{employee}/salaries/", cells(201, *HR_ROLES),
           body={"effective_from": "2026-03-01", "base_salary": "3300.00"}),
        Op(d, "GET", "/api/payroll/tax-bands/", cells(200, *PAYROLL)),
        Op(d, "PUT", "/api/payroll/tax-bands/", cells(200, *PAYROLL),
           body={"bands": [{"lower": "0.00", "upper": None, "rate": "20.00"}]}),
        Op(d, "GET", "/api/payroll/runs/", cells(200, *PAYROLL)),
        Op(d, "POST", "/api/payroll/runs/", cells(201, *PAYROLL), body={"period": "2026-03-01"}),
        Op(d, "GET", "/api/payroll/runs/{run}/", cells(200, *PAYROLL)),
        Op(d, "GET", "/api/payroll/runs/{run}/csv/", cells(200, *payslip_readers)),
        Op(d, "POST", "/api/payroll/runs/{run}/calculate/", cells(200, *PAYROLL)),
        Op(d, "POST", "/api/payroll/runs/{run}/adjustments/", cells(409, *PAYROLL),
           body={"employee": "{employee}", "kind": "earning", "amount": "50.00", "description": "bonus"},
           note="409: a regular run takes no adjustments (invalid_transition)"),
        Op(d, "POST", "/api/payroll/runs/{run}/approve/", cells(200, "dealer", "admin"),
           note="the accountant prepares and pays; only the dealer approves"),
        Op(d, "POST", "/api/payroll/runs/{run}/pay/", cells(409, *PAYROLL), note="409: the run is not approved"),
        Op(d, "GET", "/api/payroll/payslips/", signed_in(200, buyer=200), other={"buyer": 200},
           note="payslip readers see all; anyone else (even without a role) only their own"),
        Op(d, "GET", "/api/payroll/payslips/{payslip}/", own_payslip, other=on_other | {"buyer": 404}),
        Op(d, "GET", "/api/payroll/payslips/{payslip}/csv/", own_payslip, other=on_other | {"buyer": 404}),
        Op(d, "GET", "/api/payroll/payslips/{payslip}/pdf/", own_payslip, other=on_other | {"buyer": 404}),
    ]
    return ops


BOOKS = ("dealer", "accountant", "admin")


def _books() -> list[Op]:
    d = "dealer"
    cost_keepers = (*BOOKS, "dealer_staff")
    closed = "409: the date is in January, a closed period (period_closed)"
    ops = [
        Op(d, "GET", "/api/books/accounts/", cells(200, *BOOKS)),
        Op(d, "POST", "/api/books/accounts/", cells(409, *BOOKS), note="409: the code is taken (duplicate_account)",
           body={"code": "1000", "name": "Till", "type": "asset"}),
        Op(d, "GET", "/api/books/accounts/{ledger_code}/", cells(200, *BOOKS)),
        Op(d, "PATCH", "/api/books/accounts/{ledger_code}/", cells(200, *BOOKS), body={"name": "Cash"}),
        Op(d, "GET", "/api/books/entries/", cells(200, *BOOKS)),
        Op(d, "POST", "/api/books/entries/", cells(409, *BOOKS), note=closed, body={
            "date": "2026-01-20",
            "lines": [{"account": "1000", "debit": "5.00"}, {"account": "4900", "credit": "5.00"}]}),
        Op(d, "GET", "/api/books/entries/{books_entry}/", cells(200, *BOOKS)),
        Op(d, "POST", "/api/books/entries/{books_entry}/reverse/", cells(409, *BOOKS), body={"date": "2026-01-20"},
           note=closed),
        Op(d, "GET", "/api/books/periods/close/", cells(200, *BOOKS)),
        Op(d, "POST", "/api/books/periods/close/", cells(409, *BOOKS), body={"through": "2026-01-15"},
           note="409: January is closed already (period_already_closed)"),
        Op(d, "GET", "/api/books/profile/", cells(200, *BOOKS)),
        Op(d, "PATCH", "/api/books/profile/", cells(200, *BOOKS), body={"vat_rate": "20.00"}),
        Op(d, "GET", "/api/books/vehicles/{vehicle}/costs/", cells(200, *cost_keepers)),
        Op(d, "POST", "/api/books/vehicles/{vehicle}/costs/", cells(409, *cost_keepers),
           body={"kind": "acquisition", "amount": "100.00", "incurred_on": "2026-02-02"},
           note="409: its acquisition is booked (duplicate_acquisition)"),
        Op(d, "GET", "/api/books/sales/", cells(200, *BOOKS)),
        Op(d, "GET", "/api/books/sales/{invoice}/invoice.pdf", cells(200, *BOOKS)),
        Op(d, "GET", "/api/books/reports/general-ledger/{ledger_code}/", cells(200, *BOOKS)),
        Op(d, "GET", "/api/books/reports/general-ledger/{ledger_code}/csv/", cells(200, *BOOKS)),
    ]
    for report in ("trial-balance", "profit-and-loss", "balance-sheet", "vat-return", "vehicle-margins",
                   "wallet-reconciliation"):
        ops.append(Op(d, "GET", f"/api/books/reports/{report}/", cells(200, *BOOKS)))
        ops.append(Op(d, "GET", f"/api/books/reports/{report}/csv/", cells(200, *BOOKS)))
    return ops




MEMBER_MANAGERS = ("dealer", "hr", "admin")


def _members() -> list[Op]:
    d = "dealer"
    # {member} is a sales agent's membership: a staff role, so HR may change it as the dealer may.
    return [
        Op(d, "GET", "/api/members/", cells(200, *MEMBER_MANAGERS)),
        Op(d, "POST", "/api/members/", cells(201, *MEMBER_MANAGERS), body={"user": "{buyer_name}", "role": "broker"},
           note="an existing user by username or e-mail; HR gives staff roles only (403 role_not_allowed)"),
        Op(d, "GET", "/api/members/{member}/", cells(200, *MEMBER_MANAGERS)),
        Op(d, "PATCH", "/api/members/{member}/", cells(200, *MEMBER_MANAGERS), body={"role": "broker"}),
        Op(d, "POST", "/api/members/{member}/deactivate/", cells(200, *MEMBER_MANAGERS)),
    ]


OPS: list[Op] = [*_public_only(), *_shared("public"), *_leads(), *_payroll(), *_books(), *_members(),
                 *_shared("dealer")]
PATH_DEFAULTS = {"start": "2026-01-01", "end": "2026-12-31"}

# Operations that move money: asked again without an Idempotency-Key (KEYLESS_OPS), where every caller the
# permission check lets through gets 400 idempotency_key_required before anything else is looked at.
MONEY_MOVING = {
    (host, "POST", path) for host in ("public", "dealer") for path in (
        "/api/wallet/transfers/", "/api/wallet/charge-sales/", "/api/wallet/credit-requests/{credit_request}/approve/",
        "/api/wallet/batches/",
        "/api/trading/deposits/", "/api/trading/withdrawals/", "/api/trading/orders/", "/api/trading/transactions/")
} | {("public", "POST", "/api/cars/{pub_listed}/buy/"), ("public", "POST", "/api/cars/{pub_draft}/feature/"),
     ("dealer", "POST", "/api/cars/{car_listed}/buy/"), ("dealer", "POST", "/api/cars/{car_draft}/feature/"),
     ("dealer", "POST", "/api/leads/commissions/{commission}/payout/"),
      ("dealer", "POST", "/api/payroll/runs/{run}/pay/")}


# A 403 the service (not the permission check) gives: without a key the request never gets that far.
KEYLESS_SPECIAL = {("public", "POST", "/api/cars/{pub_draft}/feature/"): {"admin": 400}}


def _without_key(op: Op) -> Op:
    """``op`` sent without an Idempotency-Key: the refusals at the door stay, every other answer is 400."""
    def keyless(table: dict) -> dict:
        return {role: status if status in (401, 403) else 400 for role, status in table.items()}

    own = {**keyless(op.own), **KEYLESS_SPECIAL.get(op.key, {})}
    return Op(op.host, op.method, op.path, own, keyless(op.other), op.body,
              "without Idempotency-Key: 400 idempotency_key_required for every caller allowed through")


KEYLESS_OPS: list[Op] = [_without_key(op) for op in OPS if op.key in MONEY_MOVING]


# -- rendering -------------------------------------------------------------------------------------------
SHORT = {"anonymous": "anon", "buyer": "buyer", "dealer": "dealer", "dealer_staff": "staff", "broker": "broker",
         "sales_agent": "agent", "accountant": "acct", "hr": "hr", "admin": "admin"}


def _cell(op: Op, role: str) -> str:
    if op.host == "public":
        return str(op.expected(role, "public"))
    own, other = op.expected(role, "own"), op.expected(role, "other")
    return f"{own}" if own == other else f"{own} / {other}"


def render_markdown() -> str:
    lines = [
        "# Who may do what",
        "",
        "<!-- Generated from sites/demo/tests/reliability/permission_table.py by",
        "     `cd sites/demo && ../../.venv/bin/python -m tests.reliability.permission_table`; do not edit. -->",
        "",
        "Every API operation of the demo site, asked by every role, with the exact status it gets. The table is",
        "the test: `tests/reliability/test_permission_matrix.py` makes each request (one per cell) and fails on",
        "any difference, and also fails when an API route exists that the table does not list.",
        "",
        "Roles: " + "; ".join(f"**{SHORT[r]}**" + (f" = {r}" if SHORT[r] != r else "")
                              + (f" ({ROLE_NOTES[r]})" if r in ROLE_NOTES else "") for r in ROLES) + ".",
        "The dealership roles (dealer ... hr) are members of dealer1 only.",
        "",
        "- **Dealership host** rows show `own / other`: the status on dealer1's host (their own dealership)",
        "  and on dealer2's host (not theirs), each with that host's own objects; a single number means both.",
        "- 2xx: allowed. A 4xx in an allowed cell is the business answer named in the note (for example 409",
        "  `insufficient_funds`): it proves the permission check passed.",
        "- 401: not signed in. 403: signed in, not allowed (on another dealership's host: `not_a_member`).",
        "  404: the object is not visible to the caller, indistinguishable from one that does not exist.",
        "- Ids in paths: `{car_draft}` a car of the host's inventory not on sale, `{car_listed}` one on the",
        "  marketplace, `{lead}` a lead assigned to the sales agent, `{payslip}` the payslip of an employee who",
        "  is the broker user, `{pub_draft}`/`{pub_listed}` the buyer's own private cars, `{account}` and",
        "  `{notification}` the caller's own, `{order}`/`{buyer}` the buyer's, `{member}` a sales agent's",
        "  membership of the host's dealership.",
        "",
    ]
    sections = [
        ("Marketplace host (public schema)", "public"),
        ("Dealership host (the dealership's schema)", "dealer"),
    ]
    sections.append(("Money-moving operations without an Idempotency-Key (both hosts)", "keyless"))
    for title, host in sections:
        lines += [f"## {title}", "", "| operation | " + " | ".join(SHORT[r] for r in ROLES) + " | note |",
                  "| --- | " + " | ".join("---" for _ in ROLES) + " | --- |"]
        rows = KEYLESS_OPS if host == "keyless" else [o for o in OPS if o.host == host]
        for op in rows:
            row = [f"`{op.method} {op.path}`", *(_cell(op, r) for r in ROLES), op.note.replace("|", "\\|")]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    from tests.reliability.page_table import render_markdown_lines  # the pages' table, beside the API's

    lines += render_markdown_lines(SHORT)
    return "\n".join(lines)


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parents[4] / "docs" / "permissions.md"
    target.write_text(render_markdown())
    print(f"wrote {target}")
