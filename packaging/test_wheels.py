"""Each package stands alone: its wheel has the right metadata, installs into a fresh virtualenv
with only what it declares (plus a PostgreSQL driver), and a new `django-admin startproject`
configured exactly as its README says migrates on PostgreSQL and runs its public services."""
from __future__ import annotations

import json
import os
import re
import sys
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from email.parser import Parser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from conftest import NAMES, PACKAGES, SPECS, pip_env, run
from readme_snippet import parse
from tox_matrix import django_versions

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/forecourt"

HEAD = """
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
User = get_user_model()
def out(**kw):
    print("SMOKE " + json.dumps(kw, default=str))
def api_get(user, path, needle=""):
    # through the urls mounted from the README; "localhost" passes DEBUG's default ALLOWED_HOSTS
    from django.test import Client
    client = Client(HTTP_HOST="localhost")
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    return [response.status_code, needle in response.content.decode()]
"""
SMOKE = {
    "django-wallet": """
a, b = User.objects.create_user("alice"), User.objects.create_user("bob")
acc_a, acc_b = wallet.account_for(a), wallet.account_for(b)
wallet.deposit(account=acc_a, amount=Decimal("100.00"))
wallet.transfer(source=acc_a, destination=acc_b, amount=Decimal("12.50"), memo="smoke")
out(alice=wallet_sel.balance(acc_a), bob=wallet_sel.balance(acc_b), mismatches=len(wallet.verify_ledger().mismatches), api=api_get(a, "/api/wallet/accounts/", '"87.50"'))
""",
    "django-car-listing": """
from django_car_listing import services as cars
from forecourt_core.errors import DomainError
seller, buyer = User.objects.create_user("seller"), User.objects.create_user("buyer")
staff = User.objects.create_user("staff", is_staff=True)
wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("20000.00"))
car = cars.car_create(actor=seller, make="Toyota", model="Corolla", year=2019, price=Decimal("15000.00"),
                      vin="1HGCM82633A004352")
cars.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
try:  # CAR_LISTING_REQUIRE_VERIFICATION defaults to True (README)
    cars.car_buy(buyer=buyer, store_key="", car_id=car.pk); unverified = "bought"
except DomainError as exc:
    unverified = exc.code
cars.car_verify(actor=staff, store_key="", car_id=car.pk)
cars.car_buy(buyer=buyer, store_key="", car_id=car.pk)
car.refresh_from_db()
out(unverified=unverified, owner=car.owner.username, for_sale=car.is_for_sale,
    buyer=wallet_sel.balance(wallet.account_for(buyer)), seller=wallet_sel.balance(wallet.account_for(seller)),
    mismatches=len(wallet.verify_ledger().mismatches), api=api_get(None, "/api/cars/?q=Corolla"))
""",
    "django-leads": """
from django_car_listing import services as cars
from django_leads import services as leads
seller = User.objects.create_user("seller")
car = cars.car_create(actor=seller, make="Ford", model="Focus", year=2020, price=Decimal("9000.00"),
                      vin="1FAFP34N55W122943")
lead = leads.lead_create(car=car, contact_name="Walk-in buyer", contact_email="w@example.com")
lead = leads.lead_transition(lead=lead, status="contacted")
boss = User.objects.create_superuser("boss", "boss@example.com", "x")
out(status=lead.status, car=lead.car_id == car.pk, leads=type(lead).objects.count(),
    api=api_get(boss, "/api/leads/", "Walk-in buyer"))
""",
    "django-payroll": """
import datetime as dt
from django_payroll import services as payroll
payroll.tax_bands_replace(bands=[{"lower": Decimal("0"), "upper": None, "rate": Decimal("10")}])
emp = payroll.employee_create(first_name="Ada", last_name="Lovelace", hire_date=dt.date(2026, 1, 1),
                              user=User.objects.create_user("ada"))
payroll.salary_create(employee=emp, effective_from=dt.date(2026, 1, 1), base_salary=Decimal("3000.00"))
run = payroll.run_calculate(run=payroll.run_create(period=dt.date(2026, 1, 1)))
out(status=run.status, gross=run.total_gross, net=run.total_net, payslips=run.payslips.count(),
    api=api_get(emp.user, "/api/payroll/payslips/"))
""",
    "django-books": """
import datetime as dt
from django_books import services as books, selectors as books_sel
sale, created = books.sale_post(key="smoke:1", gross=Decimal("1200.00"), sold_on=dt.date(2026, 1, 5),
                                description="Car", source_type="sale", source_id=1, paid_into="cash")
boss = User.objects.create_superuser("boss", "boss@example.com", "x")
out(invoice=sale.invoice_number, vat=sale.vat, difference=books_sel.trial_balance()["difference"],
    api=api_get(boss, "/api/books/reports/vat-return/", '"output_vat":"200.00"'))
""",
    "django-trading": """
from django_trading import services as trading, selectors as trading_sel
user, created = trading.trader_fund(username="trader", amount=Decimal("1000.00"))
res = trading.bars_ingest(bars=[{"ticker": "ACME", "open": Decimal("10.00"), "high": Decimal("11.00"),
                                 "low": Decimal("9.50"), "close": Decimal("10.50"), "volume": 500}])
out(created=created, balance=trading_sel.trader_balance(user=user), bars=res.created, tickers=sorted(res.tickers),
    mismatches=len(wallet.verify_ledger().mismatches), api=api_get(user, "/api/trading/users/trader/", '"1000.00"'))
""",
    "django-notifications": """
from django_notifications import services as notes, selectors as note_sel
u = User.objects.create_user("reader")
n = notes.notify(recipient=u, kind="smoke.hello", title="Hello")
out(saved=n.pk is not None, unread=note_sel.unread_count(user=u),
    api=api_get(u, "/api/notifications/unread-count/", '"count":1'))
""",
}
EXPECTED = {
    "django-wallet": {"alice": "87.50", "bob": "12.50", "mismatches": 0, "api": [200, True]},
    "django-car-listing": {"unverified": "car_not_found", "owner": "buyer", "for_sale": False,
                           "buyer": "5000.00", "seller": "15000.00", "mismatches": 0,
                           "api": [200, True]},
    "django-leads": {"status": "contacted", "car": True, "leads": 1, "api": [200, True]},
    "django-payroll": {"status": "calculated", "gross": "3000.00", "net": "2700.00", "payslips": 1, "api": [200, True]},
    "django-books": {"invoice": 1, "vat": "200.00", "difference": "0.00", "api": [200, True]},
    "django-trading": {"created": True, "balance": "1000.00", "bars": 1, "tickers": ["ACME"], "mismatches": 0,
                       "api": [200, True]},
    "django-notifications": {"saved": True, "unread": 1, "api": [200, True]},
}


# Run inside the venv: every installed distribution must be reachable from the package's declared
# requirements (extras followed when requested); prints {"installed": [...], "undeclared": [...]}.
CLOSURE = r"""
import json, re, sys
from importlib import metadata
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
dists = {norm(d.metadata["Name"]): d for d in metadata.distributions()}
seen, todo = set(), [(norm(sys.argv[1]), frozenset())]
while todo:
    name, extras = todo.pop()
    if (name, extras) in seen or name not in dists:
        continue
    seen.add((name, extras))
    for req in dists[name].requires or []:
        m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(?:\[([^\]]*)\])?", req)
        extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)", req)
        if extra and norm(extra.group(1)) not in extras:
            continue
        todo.append((norm(m.group(1)), frozenset(norm(e) for e in (m.group(2) or "").split(",") if e.strip())))
reached = {n for n, _ in seen}
print(json.dumps({"installed": sorted(dists), "undeclared": sorted(set(dists) - reached - {"pip", "psycopg", "psycopg-binary"})}))
"""


def pyproject(name: str) -> dict:
    return tomllib.loads((PACKAGES / name / "pyproject.toml").read_text())["project"]


def db_params(url: str) -> dict:
    """libpq parameters from a postgres:// URL; a unix-socket host arrives percent-encoded."""
    parts = urlsplit(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    host, port = hostport, ""
    if not hostport.startswith("[") and ":" in hostport:
        host, _, port = hostport.rpartition(":")
    return {"host": unquote(host) or "127.0.0.1", "port": port or "5432", "user": unquote(user) or "postgres",
            "password": unquote(password), "dbname": unquote(parts.path.lstrip("/")) or "postgres"}


# ---------------------------------------------------------------------------------------- metadata

@pytest.mark.parametrize("name", NAMES)
def test_wheel_metadata(name, wheels):
    project = pyproject(name)
    module = SPECS[name][0]
    with zipfile.ZipFile(wheels[name]) as whl:
        files = set(whl.namelist())
        dist_info = next(f.split("/")[0] for f in files if f.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(whl.read(f"{dist_info}/METADATA").decode())
    assert meta["Name"] == name
    assert meta["Version"] == project["version"]
    assert meta["Requires-Python"] == ">=3.11"
    classifiers = meta.get_all("Classifier")
    assert "Framework :: Django" in classifiers and "License :: OSI Approved :: MIT License" in classifiers
    # claimed Django versions are exactly the ones tox.ini tests this package on
    claimed = {c.removeprefix("Framework :: Django :: ") for c in classifiers if c.startswith("Framework :: Django :: ")}
    assert claimed == django_versions(name), (claimed, django_versions(name))
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"] and f"{dist_info}/licenses/LICENSE" in files
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().strip() == (PACKAGES / name / "README.md").read_text().strip()
    requires = {re.split(r"[<>=!~ ;\[]", r, maxsplit=1)[0].lower() for r in meta.get_all("Requires-Dist") or []
                if "extra ==" not in r}
    assert requires == {re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert "django" in requires
    unbounded = [r for r in meta.get_all("Requires-Dist") if not re.search(r">=\s*\d", r)]
    assert not unbounded, f"every requirement needs a lower bound: {unbounded}"
    # every source file ships: py.typed, migrations (and their SQL), templates, static
    src = PACKAGES / name / "src" / module
    shipped = {str(p.relative_to(src.parent)) for p in src.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert f"{module}/py.typed" in shipped and f"{module}/migrations/0001_initial.py" in shipped
    missing = shipped - files
    assert not missing, f"not in the wheel: {sorted(missing)}"
    if (src / "templates").is_dir():
        assert any(f.startswith(f"{module}/templates/") for f in files)
    if (src / "static").is_dir():
        assert any(f.startswith(f"{module}/static/") for f in files)


# ----------------------------------------------------------------------- fresh project per package

@pytest.fixture(scope="session")
def venvs(wheels, tmp_path_factory) -> dict[str, Path]:
    """A fresh virtualenv per package with its wheel(s) and psycopg[binary] only, made 3 at a time."""
    base = tmp_path_factory.mktemp("venvs")

    def make(name: str) -> Path:
        venv = base / name
        run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
        local = [str(wheels[n]) for n in [*SPECS[name][1], name]]
        # the outer pip installs into the new venv (--python): no ensurepip per venv
        run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
             *local, "psycopg[binary]"], env=pip_env(), timeout=900)
        return venv

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(NAMES, pool.map(make, NAMES), strict=True))


@pytest.fixture
def database(request):
    # PACKAGING_TEST_DB_PREFIX lets two runs share one server (like the site's SITE_TEST_DB)
    prefix = os.environ.get("PACKAGING_TEST_DB_PREFIX", "wheeltest")
    name = f"{prefix}_{request.node.callspec.params['name'].removeprefix('django-').replace('-', '_')}"
    params = db_params(os.environ.get("DATABASE_URL", DEFAULT_DB))
    admin = {**params, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {**params, "dbname": name}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def configure(project: Path, name: str, db: dict) -> list[str]:
    """Edit startproject's settings.py and urls.py following the README; returns the apps added."""
    snippet = parse((PACKAGES / name / "README.md").read_text())
    module = SPECS[name][0]
    assert module in snippet.apps, f"the README's INSTALLED_APPS snippet does not add {module!r}"
    assert any(m.startswith(module + ".") for _, m in snippet.routes), "the README's urls snippet mounts no urls"
    settings = project / "proj" / "settings.py"
    text = settings.read_text()
    existing = re.search(r"INSTALLED_APPS = \[(.*?)\]", text, re.DOTALL).group(1)
    apps = [a for a in snippet.apps if f'"{a}"' not in existing and f"'{a}'" not in existing]
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": db["dbname"], "USER": db["user"],
                "PASSWORD": db["password"], "HOST": db["host"], "PORT": db["port"]}
    settings.write_text(text + "\n# from the package README\n"
                        f"INSTALLED_APPS += {apps!r}\n" + "".join(s + "\n" for s in snippet.settings)
                        + f"DATABASES = {{'default': {database!r}}}\n")
    urls = project / "proj" / "urls.py"
    urls.write_text(urls.read_text() + "\nfrom django.urls import include  # noqa: E402\n\nurlpatterns += [\n"
                    + "".join(f"    path({p!r}, include({m!r})),\n" for p, m in snippet.routes) + "]\n")
    return apps


@pytest.mark.parametrize("name", NAMES)
def test_fresh_project_from_readme(name, venvs, database, tmp_path):
    venv = venvs[name]
    py = str(venv / "bin" / "python")
    env = pip_env()
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.pop("VIRTUAL_ENV", None)

    # only what the package declares, transitively (and the PostgreSQL driver), is in the venv
    report = json.loads(run([py, "-c", CLOSURE, name], env=env))
    assert {name, *SPECS[name][1]} <= set(report["installed"])
    assert report["undeclared"] == [], report
    run([sys.executable, "-m", "pip", "--python", py, "check"], env=env)

    run([str(venv / "bin" / "django-admin"), "startproject", "proj", str(tmp_path)], env=env)
    configure(tmp_path, name, database)
    manage = [py, "manage.py"]
    run([*manage, "check", "--fail-level", "ERROR"], cwd=tmp_path, env=env)
    run([*manage, "migrate", "--no-input"], cwd=tmp_path, env=env)
    run([*manage, "makemigrations", "--check", "--dry-run"], cwd=tmp_path, env=env)
    head = HEAD + ("from django_wallet import services as wallet, selectors as wallet_sel\n" if name != "django-notifications" else "")
    output = run([*manage, "shell", "-c", head + SMOKE[name]], cwd=tmp_path, env=env, timeout=300)
    lines = [line for line in output.splitlines() if line.startswith("SMOKE ")]
    assert lines, output
    assert json.loads(lines[-1].removeprefix("SMOKE ")) == EXPECTED[name], output


def test_db_params_reads_tcp_and_percent_encoded_socket_urls():
    assert db_params("postgres://postgres@127.0.0.1:5432/forecourt") == {
        "host": "127.0.0.1", "port": "5432", "user": "postgres", "password": "", "dbname": "forecourt"}
    assert db_params("postgres://u:p%40ss@%2Ftmp%2FCiPg:5433/postgres") == {
        "host": "/tmp/CiPg", "port": "5433", "user": "u", "password": "p@ss", "dbname": "postgres"}
    assert db_params("postgres://postgres@%2Ftmp%2Fcipg/postgres")["host"] == "/tmp/cipg"
