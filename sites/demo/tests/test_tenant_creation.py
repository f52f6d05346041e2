"""Fast dealership creation (tenancy/schemas.py): a replayed schema equals a migrated one and works end to end.

Each test runs in the `db` transaction: the schemas, recipes and rows it creates roll back with it
(PostgreSQL DDL is transactional).
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenancy import citus
from tests.conftest import host_client
from tests.test_marketplace import VIN_B


def _recipes():
    from tenancy.models import SchemaRecipe

    return SchemaRecipe.objects


def _create(slug):
    from tenancy.services import dealership_create

    return dealership_create(name=slug.title(), slug=slug)


@pytest.mark.django_db
def test_replayed_schema_equals_a_migrated_one_and_a_failed_replay_falls_back_to_migrate(caplog):
    from tenancy import schemas
    from tenancy.schema_signature import schema_signature, signature_differences

    _create("warm-up")  # the current recipe exists (recorded by the session's first dealership)
    recipe = _recipes().get(fingerprint=schemas.migrations_fingerprint())
    assert recipe.replayable and recipe.not_replayable_because == ""
    assert any("payroll_refuse_paid_change" in sql for sql in recipe.statements)  # the RunSQL trigger came along
    good = list(recipe.statements)
    recipe.statements = [*good, "SELECT 1/0"]  # fails after every table was created
    recipe.save()
    migrated = _create("migrated-co")
    assert migrated.schema_build_method == schemas.MIGRATED  # the failed replay rolled back, leaving no schema
    assert "migrating it instead" in caplog.text
    recipe.statements = good
    recipe.save()
    replayed = _create("replayed-co")
    assert replayed.schema_build_method == schemas.REPLAYED

    reference, clone = schema_signature("migrated_co"), schema_signature("replayed_co")
    assert signature_differences(reference, clone) == {}
    # Not vacuous: the comparison sees every tenant app's tables, triggers and migration rows.
    tables = {row[0] for row in reference["relations"] if row[1] == "r"}
    assert {"car_listing_car", "leads_lead", "payroll_payrollrun", "django_migrations"} <= tables
    books_triggers = {"books_line_balanced", "books_entry_has_lines", "books_entry_period_open",
                      "books_invoicecounter_step",
                      *(f"books_{t}_append_only"
                        for t in ("entry", "line", "periodclose", "vehiclesale", "vehiclecost")),
                      *(f"books_{t}_no_truncate" for t in ("entry", "line", "periodclose", "vehiclesale", "vehiclecost",
                                                           "invoicecounter"))}
    assert {row[1] for row in reference["triggers"]} == {"payroll_run_frozen", "payroll_payslip_frozen",
                                                         "payroll_payslipline_frozen",
                                                         *books_triggers}
    assert ("payroll", "0002_freeze_paid_runs") in reference["migrations"]
    assert len(reference["constraints"]) > 50 and len(reference["indexes"]) > 50


@pytest.mark.django_db
def test_deploy_step_records_the_recipe_on_a_scratch_schema_it_drops():
    import io

    from django.core.management import call_command
    from django_tenants.utils import schema_exists

    from tenancy import schemas

    _recipes().all().delete()  # as after deploying new migrations
    out = io.StringIO()
    call_command("tenant_schema_recipe", stdout=out)
    scratch = f"recipe_{schemas.migrations_fingerprint()[:12]}"
    assert f"from schema {scratch}: replayable" in out.getvalue()
    assert not schema_exists(scratch)
    assert _create("first-after-deploy").schema_build_method == schemas.REPLAYED
    call_command("tenant_schema_recipe", stdout=out)  # idempotent
    assert _recipes().count() == 1


@pytest.mark.django_db
def test_signature_comparison_catches_a_renamed_constraint():
    """The check that proves equality can fail: django-tenants' clone_schema renames unique constraints."""
    from tenancy.schema_signature import schema_signature, signature_differences

    _create("sig-a")
    _create("sig-b")
    with connection.cursor() as cursor:
        if citus.enabled():  # Citus refuses the rename on its shards; the coordinator's catalog is what is compared
            cursor.execute("SET citus.enable_ddl_propagation TO off")
        cursor.execute("ALTER TABLE sig_b.payroll_payslip RENAME CONSTRAINT payroll_payslip_run_employee_uniq TO x")
        if citus.enabled():
            cursor.execute("RESET citus.enable_ddl_propagation")
    differences = signature_differences(schema_signature("sig_a"), schema_signature("sig_b"))
    assert set(differences) == {"constraints", "indexes", "relations"}
    assert ("payroll_payslip", "x", "u", "UNIQUE (run_id, employee_id)", "True") in (
        differences["constraints"]["only_in_second"])


@pytest.mark.django_db
def test_a_recipe_of_other_migrations_is_never_replayed():
    from tenancy import schemas
    from tenancy.models import SchemaRecipe

    _create("warm-up")  # makes sure the current recipe exists
    SchemaRecipe.objects.create(fingerprint="0" * 64, statements=["SELECT 1/0"], migrations=[], recorded_from="old")
    assert _create("after-deploy").schema_build_method == schemas.REPLAYED


@pytest.mark.django_db
def test_migrations_writing_rows_make_the_recipe_not_replayable():
    """What the recorder keeps and what makes it give up, on a schema editor statement and an ORM write it watches."""
    from tenancy.models import SchemaRecipe
    from tenancy.schemas import recording

    with recording() as recorded:
        with connection.schema_editor() as editor:
            editor.execute("CREATE TABLE recording_scratch (id int, note text DEFAULT %s)", ["it's 100%"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM recording_scratch")  # reads are harmless
        assert recorded.foreign_writes == []
        SchemaRecipe.objects.create(fingerprint="f" * 64, recorded_from="x")  # a RunPython would write like this
    assert recorded.statements == ["CREATE TABLE recording_scratch (id int, note text DEFAULT 'it''s 100%')"]
    assert len(recorded.foreign_writes) == 1
    assert recorded.foreign_writes[0].startswith('INSERT INTO "tenancy_schemarecipe"')
    assert connection.SchemaEditorClass.__name__ == "DatabaseSchemaEditor"  # the backend's own again


@pytest.mark.django_db
def test_seed_dealerships_creates_the_missing_ones_reachable_on_their_hosts(make_user):
    import io

    from django.core.management import CommandError, call_command

    from tenancy.models import Dealership

    _create("warm-up")
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_dealerships", 2, prefix="seedtest", stdout=out, stderr=err)
    assert "created 2 dealerships" in out.getvalue() and "2 replayed" in out.getvalue()
    assert "2/2" in err.getvalue()  # the progress bar's last line
    seeded = Dealership.objects.filter(slug__startswith="seedtest-").order_by("slug")
    assert [d.slug for d in seeded] == ["seedtest-00001", "seedtest-00002"]
    assert [d.get_primary_domain().domain for d in seeded] == ["seedtest-00001.localhost", "seedtest-00002.localhost"]
    admin = make_user(is_staff=True, is_superuser=True)
    assert host_client("seedtest-00002.localhost", admin).get("/api/leads/").status_code == 200
    call_command("seed_dealerships", 3, prefix="seedtest", stdout=out, stderr=err)  # keeps the two, adds one
    assert "2 of 3 exist; creating 1" in err.getvalue()
    assert Dealership.objects.filter(slug__startswith="seedtest-").count() == 3
    with pytest.raises(CommandError, match="prefix"):
        call_command("seed_dealerships", 1, prefix="Bad_Prefix", stdout=out, stderr=err)


def test_fingerprint_follows_every_migration_file_and_the_versions():
    from tenancy.schemas import fingerprint_of

    files = {("payroll", "0001_initial"): b"a", ("payroll", "0002_freeze_paid_runs"): b"b"}
    versions = "django 5.2 pg 150000"
    base = fingerprint_of(files, versions=versions)
    assert fingerprint_of(dict(reversed(files.items())), versions=versions) == base
    assert fingerprint_of({**files, ("payroll", "0002_freeze_paid_runs"): b"b2"}, versions=versions) != base
    assert fingerprint_of({**files, ("leads", "0002_new"): b""}, versions=versions) != base
    assert fingerprint_of(files, versions="django 6.0 pg 150000") != base


@pytest.mark.django_db
def test_replayed_dealership_works_end_to_end(make_user):
    """A car listed, a lead on it and a payroll run paid in a new (replayed) dealership, over its own host."""
    from django_car_listing.services import car_verify
    from django_wallet import selectors
    from django_wallet import services as wallet
    from tenancy import schemas
    from tenancy.services import membership_grant

    _create("warm-up")
    owner = make_user()
    newco = _create("newco")
    assert newco.schema_build_method == schemas.REPLAYED
    staff = {role: make_user() for role in ("dealer", "accountant")}
    membership_grant(user=owner, dealership=newco, role="dealer_staff")
    for role, user in staff.items():
        membership_grant(user=user, dealership=newco, role=role)
    client = host_client("newco.localhost", owner)

    car = client.post("/api/cars/", {"make": "Volvo", "model": "V60", "year": 2021, "price": "27500.00", "vin": VIN_B},
                      content_type="application/json")
    assert car.status_code == 201, car.content
    car_id = car.json()["id"]
    with schema_context("newco"):
        car_verify(actor=make_user(is_staff=True), store_key="newco", car_id=car_id)
    assert client.post(f"/api/cars/{car_id}/put-on-sale/").status_code == 200
    market = host_client("localhost").get("/api/cars/", {"store": "newco"}).json()["results"]
    assert [c["id"] for c in market] == [car_id]

    lead = client.post("/api/leads/", {"car": car_id, "contact_name": "Walk In", "contact_phone": "+14155550100"},
                       content_type="application/json")
    assert lead.status_code == 201, lead.content
    assert client.get(f"/api/leads/{lead.json()['id']}/").json()["contact_name"] == "Walk In"
    assert host_client("dealer1.localhost", owner).get("/api/leads/").status_code == 403  # not a member there

    from django_payroll import services as payroll

    with schema_context("newco"):
        employee = payroll.employee_create(first_name="Eve", last_name="Mech", hire_date=dt.date(2020, 1, 1),
                                           user=make_user(), department="Workshop")
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=Decimal("3000.00"))
    wallet.deposit(account=wallet.account_for(newco), amount=Decimal("100000.00"))
    accountant = host_client("newco.localhost", staff["accountant"])
    run = accountant.post("/api/payroll/runs/", {"period": "2026-10-01"}, content_type="application/json")
    run_id = run.json()["id"]
    assert accountant.post(f"/api/payroll/runs/{run_id}/calculate/").status_code == 200
    dealer = host_client("newco.localhost", staff["dealer"])
    assert dealer.post(f"/api/payroll/runs/{run_id}/approve/").status_code == 200
    paid = accountant.post(f"/api/payroll/runs/{run_id}/pay/", HTTP_IDEMPOTENCY_KEY="newco-run-1")
    assert paid.status_code == 200, paid.content
    assert selectors.balance(wallet.account_for(employee.user)) == Decimal(paid.json()["total_net"]) > 0

    # The replayed trigger is this schema's own and freezes the paid run.
    from django.db import DatabaseError, transaction

    with (schema_context("newco"), pytest.raises(DatabaseError, match="paid and frozen"), transaction.atomic(),
          connection.cursor() as cursor):
        cursor.execute("UPDATE payroll_payrollrun SET total_net = 0 WHERE id = %s", [run_id])
