from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db import transaction as db_transaction
from django.urls import reverse

from django_wallet import selectors, services, signals, tasks
from django_wallet.models import Account, CreditRequest, Transaction

D = Decimal


@pytest.mark.django_db
def test_admin_pages_render_read_only(admin_client, funded):
    a, b = funded("10.00"), funded("0")
    txn = services.transfer(source=a, destination=b, amount=D("1"))
    for name in ["account", "transaction", "entry", "hold", "creditrequest", "chargesale"]:
        assert admin_client.get(reverse(f"admin:wallet_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:wallet_transaction_change", args=[txn.pk])).status_code == 200
    assert admin_client.get(reverse("admin:wallet_entry_add")).status_code == 403
    page = admin_client.get(reverse("admin:wallet_entry_change", args=[txn.entries.first().pk]))
    assert b"Save" not in page.content


@pytest.mark.django_db
def test_admin_action_approves_once(admin_client, funded):
    seller = funded("0")
    requests = [services.credit_request_create(account=seller, amount=D("40")) for _ in range(2)]
    url = reverse("admin:wallet_creditrequest_changelist")
    ids = [r.pk for r in requests]
    admin_client.post(url, {"action": "approve", "_selected_action": ids})
    admin_client.post(url, {"action": "approve", "_selected_action": ids})  # second time: already decided
    admin_client.post(url, {"action": "reject", "_selected_action": ids})
    assert set(CreditRequest.objects.values_list("status", flat=True)) == {"approved"}
    assert selectors.balance(seller) == D("80.00")
    assert Transaction.objects.filter(kind="credit").count() == 2


@pytest.mark.django_db(transaction=True)
def test_signals_sent_on_commit_only(funded):
    posted, decided = [], []
    receiver = lambda sender, transaction, **kw: posted.append(transaction.pk)  # noqa: E731
    decide_receiver = lambda sender, credit_request, **kw: decided.append(credit_request.status)  # noqa: E731
    signals.transaction_posted.connect(receiver)
    signals.credit_request_decided.connect(decide_receiver)
    try:
        a, b = funded("10.00"), funded("0")
        posted.clear()
        with pytest.raises(RuntimeError), db_transaction.atomic():
            services.transfer(source=a, destination=b, amount=D("1"))
            raise RuntimeError
        assert posted == []
        txn = services.transfer(source=a, destination=b, amount=D("1"), idempotency_key="k")
        services.transfer(source=a, destination=b, amount=D("1"), idempotency_key="k")  # replay: no signal
        assert posted == [txn.pk]
        services.credit_request_approve(credit_request=services.credit_request_create(account=b, amount=D("5")))
        assert decided == ["approved"]
    finally:
        signals.transaction_posted.disconnect(receiver)
        signals.credit_request_decided.disconnect(decide_receiver)


@pytest.mark.django_db(transaction=True)
def test_verify_ledger_command_and_task(funded):
    a, b = funded("10.00"), funded("0")
    services.transfer(source=a, destination=b, amount=D("4"))
    out, err = StringIO(), StringIO()
    call_command("verify_ledger", stdout=out, stderr=err)
    assert "OK:" in out.getvalue() and "accounts [" in err.getvalue()
    assert tasks.verify_ledger.apply().get()["ok"] is True

    with db_transaction.atomic(), connection.cursor() as cur:  # drift behind the services' back
        cur.execute("UPDATE wallet_account SET balance = balance + 1 WHERE id = %s", [a.pk])
    with pytest.raises(SystemExit) as exc:
        call_command("verify_ledger", "--no-progress", stdout=(out := StringIO()), stderr=StringIO())
    assert exc.value.code == 1 and f"account={a.pk}" in out.getvalue()
    result = tasks.verify_ledger.apply().get()
    assert result["ok"] is False and result["mismatches"][0]["kind"] == "balance_mismatch"


@pytest.mark.django_db
def test_release_expired_holds_task(funded):
    from datetime import timedelta

    from django.utils import timezone

    a = funded("10.00")
    services.hold(account=a, amount=D("5"), expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.release_expired_holds.apply().get() == 1
    assert tasks.release_expired_holds.apply().get() == 0
    assert set(a.holds.values_list("status", flat=True)) == {"expired"}


@pytest.mark.django_db
def test_verify_clean_on_empty_and_system_accounts():
    services.system_account("fees")
    report = services.verify_ledger()
    assert report.ok and report.accounts_checked == Account.objects.count()
