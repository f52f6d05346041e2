from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction as db_transaction
from django.utils import timezone

from django_wallet import selectors, services
from django_wallet.errors import (
    AccountFrozen,
    AlreadyReversed,
    CurrencyMismatch,
    HoldExpired,
    HoldNotActive,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    SameAccount,
)
from django_wallet.models import Account, Entry, Hold, IdempotencyFailure, Transaction

pytestmark = pytest.mark.django_db
D = Decimal


def test_account_for_is_get_or_create(make_user):
    user = make_user()
    a = services.account_for(user)
    assert services.account_for(user) == a
    assert services.account_for(user, purpose="savings") != a
    assert a.currency == "USD" and a.balance == 0 and not a.allow_overdraft


def test_account_for_owner_by_finds_the_owners_account_by_a_unique_field_in_one_read(make_user, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user, other = make_user(), make_user()
    opened = services.account_for_owner_by(django_user_model, username=user.username)  # opened on first use
    assert opened == services.account_for(user) and opened != services.account_for(other)
    savings = services.account_for(user, purpose="savings")
    with CaptureQueriesContext(connection) as queries:
        found = services.account_for_owner_by(django_user_model, username=user.username)
        saved = services.account_for_owner_by(django_user_model, purpose="savings", username=user.username)
    assert (found, saved) == (opened, savings) and len(queries) == 2
    with pytest.raises(django_user_model.DoesNotExist):
        services.account_for_owner_by(django_user_model, username="nobody")
    with pytest.raises(ValueError, match="not unique"):
        services.account_for_owner_by(django_user_model, first_name=user.first_name)


def test_account_for_with_owner_by_reads_both_accounts_of_a_payment_at_once(make_user, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    buyer, seller, newcomer = make_user(), make_user(), make_user()
    # Missing accounts are opened as account_for and account_for_owner_by open them.
    mine, theirs = services.account_for_with_owner_by(buyer, django_user_model, username=seller.username)
    assert (mine, theirs) == (services.account_for(buyer), services.account_for(seller)) and mine != theirs
    services.account_for(buyer, purpose="savings")  # another purpose of the same owners: not read
    with CaptureQueriesContext(connection) as queries:
        found = services.account_for_with_owner_by(buyer, django_user_model, username=seller.username)
    assert found == (mine, theirs) and len(queries) == 1
    # Either side missing alone.
    assert services.account_for_with_owner_by(newcomer, django_user_model, username=seller.username) == (
        services.account_for(newcomer), theirs)
    fresh = make_user()
    assert services.account_for_with_owner_by(buyer, django_user_model, username=fresh.username) == (
        mine, services.account_for(fresh))
    # Both lookups naming one owner answer its one account twice.
    assert services.account_for_with_owner_by(buyer, django_user_model, username=buyer.username) == (mine, mine)
    with pytest.raises(django_user_model.DoesNotExist):
        services.account_for_with_owner_by(buyer, django_user_model, username="nobody")


def test_system_account_may_overdraw():
    platform = services.system_account("platform")
    assert platform.allow_overdraft and services.system_account("platform") == platform


def test_a_sellers_charge_sale_opens_both_accounts_then_is_one_statement(make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seller = make_user()
    with pytest.raises(InsufficientFunds):  # both accounts opened on first use: the seller's is empty
        services.charge_sale_create(seller=seller, phone="+447911123456", amount=D("1.00"))
    own, sales = services.account_for(seller), Account.objects.get(name="charge_sales")
    assert sales.allow_overdraft and not own.allow_overdraft
    services.deposit(account=own, amount=D("5.00"))
    with CaptureQueriesContext(connection) as ctx:
        sale = services.charge_sale_create(seller=seller, phone="+447911123456", amount=D("2.00"), sold_by=seller)
    assert [q["sql"].split("(")[0].split(" FROM ")[-1] for q in ctx.captured_queries] == ["wallet_charge_sale"]
    assert sale.account == own and selectors.balance(own) == D("3.00") and selectors.balance(sales) == D("2.00")
    for both_or_neither in [{"account": own, "seller": seller}, {}]:
        with pytest.raises(TypeError):
            services.charge_sale_create(phone="+447911123456", amount=D("1.00"), **both_or_neither)


def test_currency_from_setting(settings, make_user):
    settings.WALLET_CURRENCY = "EUR"
    assert services.open_account(owner=make_user()).currency == "EUR"


def test_deposit_transfer_withdraw(funded):
    a, b = funded("100.00"), funded("0")
    txn = services.transfer(source=a, destination=b, amount=D("30.25"), memo="rent")
    assert selectors.balance(a) == D("69.75") and selectors.balance(b) == D("30.25")
    assert sorted(e.amount for e in txn.entries.all()) == [D("-30.25"), D("30.25")]
    assert {e.account_id: e.balance_after for e in txn.entries.all()} == {a.pk: D("69.75"), b.pk: D("30.25")}
    services.withdraw(account=b, amount=D("30.25"))
    assert selectors.balance(b) == 0
    assert selectors.balance(services.system_account("payouts")) == D("30.25")
    assert selectors.balance(services.system_account("topups")) == D("-100.00")
    assert services.verify_ledger().ok


def test_insufficient_funds_moves_nothing(funded):
    a, b = funded("10.00"), funded("0")
    with pytest.raises(InsufficientFunds) as exc:
        services.transfer(source=a, destination=b, amount=D("10.01"))
    assert exc.value.code == "insufficient_funds" and exc.value.status == 409
    assert selectors.balance(a) == D("10.00") and Entry.objects.filter(account=b).count() == 0


def test_spend_exact_balance(funded):
    a, b = funded("10.00"), funded("0")
    services.transfer(source=a, destination=b, amount=D("10.00"))
    assert selectors.balance(a) == 0


@pytest.mark.parametrize(
    "amount",
    [
        D("0"),
        D("-1"),
        D("-0.01"),
        D("10.005"),
        D("0.001"),
        D("NaN"),
        D("sNaN"),
        D("Infinity"),
        D("-Infinity"),
        D(10) ** 16,
        D("1E+20"),
        0.5,
        1.0,
        "10",
        None,
        True,
    ],
)
def test_invalid_amounts_rejected_and_nothing_written(funded, amount):
    a, b = funded("100.00"), funded("0")
    before = Transaction.objects.count()
    with pytest.raises(InvalidAmount) as exc:
        services.transfer(source=a, destination=b, amount=amount)
    assert exc.value.code == "invalid_amount" and exc.value.status == 400
    assert Transaction.objects.count() == before and selectors.balance(a) == D("100.00")


@pytest.mark.parametrize("amount", [D("0.01"), D("10.5"), D("10.500"), 7, D(10) ** 16 - D("0.01")])
def test_valid_amount_edges(make_user, amount):
    a = services.account_for(make_user())
    services.deposit(account=a, amount=amount)
    assert selectors.balance(a) == D(amount)


def test_same_account(funded):
    a = funded()
    with pytest.raises(SameAccount) as exc:
        services.transfer(source=a, destination=a, amount=D("1"))
    assert exc.value.code == "same_account"


def test_frozen_account_refuses_both_directions(funded):
    a, b = funded(), funded()
    services.account_set_status(account=b, status=Account.Status.FROZEN)
    for src, dst in [(a, b), (b, a)]:
        with pytest.raises(AccountFrozen) as exc:
            services.transfer(source=src, destination=dst, amount=D("1"))
        assert exc.value.code == "account_frozen"
    services.account_set_status(account=b, status=Account.Status.ACTIVE)
    services.transfer(source=a, destination=b, amount=D("1"))


def test_currency_mismatch(funded, make_user):
    a = funded()
    eur = services.open_account(owner=make_user(), currency="EUR")
    with pytest.raises(CurrencyMismatch) as exc:
        services.transfer(source=a, destination=eur, amount=D("1"))
    assert exc.value.code == "currency_mismatch"


def test_idempotent_replay_and_conflict(funded):
    a, b = funded("100.00"), funded("0")
    t1 = services.transfer(source=a, destination=b, amount=D("5"), idempotency_key="k1", idempotency_scope="u1")
    t2 = services.transfer(source=a, destination=b, amount=D("5"), idempotency_key="k1", idempotency_scope="u1")
    assert t1.pk == t2.pk and selectors.balance(a) == D("95.00")
    with pytest.raises(IdempotencyConflict) as exc:
        services.transfer(source=a, destination=b, amount=D("6"), idempotency_key="k1", idempotency_scope="u1")
    assert exc.value.code == "idempotency_conflict" and exc.value.status == 409
    # Keys are per caller: another scope may reuse the key.
    t3 = services.transfer(source=a, destination=b, amount=D("5"), idempotency_key="k1", idempotency_scope="u2")
    assert t3.pk != t1.pk and selectors.balance(a) == D("90.00")


def test_a_transfer_posts_under_the_id_its_caller_gives_and_a_replay_keeps_the_original(funded):
    import uuid

    a, b = funded("100.00"), funded("0")
    given = uuid.uuid4()
    txn = services.transfer(source=a, destination=b, amount=D("5"), idempotency_key="k1", idempotency_scope="u1",
                            transaction_id=given)
    assert txn.pk == given and Transaction.objects.get(pk=given).entries.count() == 2
    again = services.transfer(source=a, destination=b, amount=D("5"), idempotency_key="k1", idempotency_scope="u1",
                              transaction_id=uuid.uuid4())
    assert again.pk == given and selectors.balance(a) == D("95.00")


def test_failed_keyed_request_replays_its_failure(funded):
    a, b = funded("3"), funded("0")
    attempt = {"source": a, "destination": b, "amount": D("5"), "idempotency_key": "k", "idempotency_scope": "u1"}
    with pytest.raises(InsufficientFunds):
        services.transfer(**attempt)
    services.deposit(account=a, amount=D("10"))
    # The key named an attempt that failed: retrying it fails the same way, even though funds are there now.
    with pytest.raises(InsufficientFunds) as exc:
        services.transfer(**attempt)
    assert exc.value.code == "insufficient_funds" and exc.value.status == 409
    with pytest.raises(IdempotencyConflict):
        services.transfer(**{**attempt, "amount": D("4")})
    assert not Transaction.objects.filter(idempotency_key="k").exists()
    assert IdempotencyFailure.objects.get(idempotency_key="k").code == "insufficient_funds"
    # A new key is a new attempt.
    services.transfer(**{**attempt, "idempotency_key": "k2"})
    assert selectors.balance(a) == D("8") and selectors.balance(b) == D("5")


def test_failure_rolled_back_with_the_callers_transaction_frees_the_key(funded):
    a, b = funded("3"), funded("0")
    attempt = {"source": a, "destination": b, "amount": D("5"), "idempotency_key": "k", "idempotency_scope": "u1"}
    with pytest.raises(InsufficientFunds), db_transaction.atomic():
        services.transfer(**attempt)
    assert not IdempotencyFailure.objects.exists()
    services.deposit(account=a, amount=D("10"))
    services.transfer(**attempt)
    assert selectors.balance(b) == D("5")


def test_idempotency_key_across_operations_conflicts(funded):
    a = funded("100.00")
    services.deposit(account=a, amount=D("5"), idempotency_key="k", idempotency_scope="s")
    with pytest.raises(IdempotencyConflict):
        services.withdraw(account=a, amount=D("5"), idempotency_key="k", idempotency_scope="s")


def test_transfer_many_all_or_nothing(funded):
    a, b, c = funded("10.00"), funded("5.00"), funded("0")
    with pytest.raises(InsufficientFunds):
        services.transfer_many(legs=[(a, c, D("4")), (b, c, D("7")), (a, b, D("1"))])
    assert [selectors.balance(x) for x in (a, b, c)] == [D("10.00"), D("5.00"), D("0")]
    with pytest.raises(SameAccount):
        services.transfer_many(legs=[(a, c, D("1")), (b, b, D("1"))])
    with pytest.raises(InvalidAmount):
        services.transfer_many(legs=[(a, c, D("1")), (b, c, D("0.001"))])
    with pytest.raises(InvalidAmount):
        services.transfer_many(legs=[])
    assert Entry.objects.filter(account=c).count() == 0
    # Funds are checked on the net: b may pass on what it receives in the same batch.
    txn = services.transfer_many(legs=[(a, b, D("10")), (b, c, D("15"))])
    assert [selectors.balance(x) for x in (a, b, c)] == [D("0"), D("0"), D("15.00")]
    assert txn.entries.count() == 4 and txn.kind == "batch"


def test_nests_in_caller_atomic_and_rolls_back_with_it(funded):
    a, b = funded("10.00"), funded("0")
    with pytest.raises(RuntimeError), db_transaction.atomic():
        services.transfer(source=a, destination=b, amount=D("3"))
        raise RuntimeError
    assert selectors.balance(a) == D("10.00")


def test_reverse_once(funded):
    a, b = funded("10.00"), funded("0")
    txn = services.transfer(source=a, destination=b, amount=D("4"))
    rev = services.reverse(transaction=txn)
    assert rev.reverses == txn and rev.kind == "reversal"
    assert selectors.balance(a) == D("10.00") and selectors.balance(b) == 0
    with pytest.raises(AlreadyReversed) as exc:
        services.reverse(transaction=txn)
    assert exc.value.code == "already_reversed"
    with pytest.raises(AlreadyReversed):
        services.reverse(transaction=rev)
    assert services.verify_ledger().ok


def test_reverse_refused_when_destination_spent(funded):
    a, b, c = funded("10.00"), funded("0"), funded("0")
    txn = services.transfer(source=a, destination=b, amount=D("4"))
    services.transfer(source=b, destination=c, amount=D("4"))
    with pytest.raises(InsufficientFunds):
        services.reverse(transaction=txn)


def test_hold_lowers_available_and_capture(funded):
    a, b = funded("100.00"), funded("0")
    h = services.hold(account=a, amount=D("60"))
    assert selectors.available_balance(a) == D("40.00") and selectors.balance(a) == D("100.00")
    with pytest.raises(InsufficientFunds):
        services.transfer(source=a, destination=b, amount=D("40.01"))
    with pytest.raises(InsufficientFunds):
        services.hold(account=a, amount=D("40.01"))
    txn = services.capture(hold=h, destination=b, amount=D("25"))
    h.refresh_from_db()
    assert h.status == Hold.Status.CAPTURED and h.transaction == txn
    # Partial capture releases the rest.
    assert selectors.balance(a) == D("75.00") and selectors.available_balance(a) == D("75.00")
    assert selectors.balance(b) == D("25.00")
    with pytest.raises(HoldNotActive):
        services.capture(hold=h, destination=b)
    with pytest.raises(HoldNotActive):
        services.release(hold=h)


def test_capture_more_than_held(funded):
    a, b = funded("100.00"), funded("0")
    h = services.hold(account=a, amount=D("10"))
    with pytest.raises(InvalidAmount):
        services.capture(hold=h, destination=b, amount=D("10.01"))


def test_release_restores_available(funded):
    a, b = funded("100.00"), funded("0")
    h = services.hold(account=a, amount=D("100"))
    assert selectors.available_balance(a) == 0
    services.release(hold=h)
    assert selectors.available_balance(a) == D("100.00")
    with pytest.raises(HoldNotActive):
        services.capture(hold=h, destination=b)


def test_expired_hold_not_counted_cannot_capture_and_is_swept(funded):
    a, b = funded("100.00"), funded("0")
    h = services.hold(account=a, amount=D("50"), expires_at=timezone.now() + timedelta(hours=1))
    gone = services.hold(account=a, amount=D("20"), expires_at=timezone.now() - timedelta(seconds=1))
    assert selectors.available_balance(a) == D("50.00")
    with pytest.raises(HoldExpired) as exc:
        services.capture(hold=gone, destination=b)
    assert exc.value.code == "hold_expired"
    assert services.release_expired_holds() == 1
    assert services.release_expired_holds() == 0
    gone.refresh_from_db()
    h.refresh_from_db()
    assert gone.status == Hold.Status.EXPIRED and h.status == Hold.Status.ACTIVE


def test_hold_on_frozen_account(funded):
    a = funded()
    services.account_set_status(account=a, status=Account.Status.FROZEN)
    with pytest.raises(AccountFrozen):
        services.hold(account=a, amount=D("1"))


def test_model_refuses_update_and_delete(funded):
    from django_wallet.errors import ImmutableLedger

    a, b = funded("10.00"), funded("0")
    txn = services.transfer(source=a, destination=b, amount=D("1"))
    entry = txn.entries.first()
    entry.amount = D("2")
    for action in (
        entry.save,
        entry.delete,
        txn.save,
        txn.delete,
        lambda: Entry.objects.filter(pk=entry.pk).update(amount=D("2")),
        lambda: Entry.objects.filter(pk=entry.pk).delete(),
        lambda: Transaction.objects.all().delete(),
        lambda: Entry.objects.bulk_update([entry], ["amount"]),
    ):
        with pytest.raises(ImmutableLedger), db_transaction.atomic():
            action()
    entry.refresh_from_db()
    assert entry.amount in (D("1"), D("-1"))


def test_balance_overflow_is_invalid_amount_not_a_500(make_user):
    a = services.account_for(make_user())
    services.deposit(account=a, amount=D(10) ** 16 - 1)
    with pytest.raises(InvalidAmount):
        services.deposit(account=a, amount=D("1.00"))
    assert selectors.balance(a) == D(10) ** 16 - 1


def test_short_funds_outrank_the_balance_limit(funded):
    """A non-overdraft account debited below -10**16 is short of funds (409), not past the storable limit; an
    overdraft account debited as far is past the limit (InvalidAmount, 400). Nothing moves either way."""
    a, c, d = funded("10.00"), funded("0"), funded("0")
    half = D(6) * D(10) ** 15  # two legs of it debit 1.2 * 10**16, each credit stays storable
    with pytest.raises(InsufficientFunds) as exc:
        services.transfer_many(legs=[(a, c, half), (a, d, half)])
    assert exc.value.code == "insufficient_funds" and exc.value.status == 409
    overdraft = services.open_account(name="overdraft-to-the-limit", allow_overdraft=True)
    with pytest.raises(InvalidAmount) as exc:
        services.transfer_many(legs=[(overdraft, c, half), (overdraft, d, half)])
    assert exc.value.code == "invalid_amount" and exc.value.status == 400
    assert [selectors.balance(x) for x in (a, c, d, overdraft)] == [D("10.00"), 0, 0, 0]


def test_unknown_account(funded):
    from django_wallet.errors import AccountNotFound

    a = funded()
    ghost = Account(pk=10**12, currency="USD")
    with pytest.raises(AccountNotFound):
        services.transfer(source=a, destination=ghost, amount=D("1"))


def test_accounts_of_agrees_with_the_orm_definition_of_held(make_user):
    """accounts_of is hand-written SQL for speed; with_held is the ORM definition it must match."""
    from django.contrib.contenttypes.models import ContentType

    owner = make_user()
    a, other = services.account_for(owner), services.account_for(owner, purpose="savings")
    services.deposit(account=a, amount=D("500"))
    services.deposit(account=other, amount=D("40"))
    services.hold(account=a, amount=D("30"))  # active, no expiry
    services.hold(account=a, amount=D("20"), expires_at=timezone.now() + timedelta(hours=1))  # active
    services.hold(account=a, amount=D("7"), expires_at=timezone.now() - timedelta(seconds=1))  # expired
    services.release(hold=services.hold(account=a, amount=D("11")))  # released
    services.capture(hold=services.hold(account=a, amount=D("13")), destination=other)  # captured

    got = [(x.pk, x.balance, x.held) for x in selectors.accounts_of(owner)]
    owner_type = ContentType.objects.get_for_model(owner)
    orm = selectors.with_held(Account.objects.filter(owner_type=owner_type, owner_id=str(owner.pk)))
    assert got == [(x.pk, x.balance, x.held) for x in orm]
    assert got == [(a.pk, D("487.00"), D("50.00")), (other.pk, D("53.00"), D("0"))]


def test_a_posting_is_one_statement(funded, django_assert_num_queries):
    """Lock, checks, transaction, entries and balances: one call of wallet_post, keyed or not."""
    a, b = funded("10.00"), funded("0")
    with django_assert_num_queries(1):
        services.transfer(source=a, destination=b, amount=D("1.00"))
    with django_assert_num_queries(1):
        services.transfer(source=a, destination=b, amount=D("1.00"), idempotency_key="k1", idempotency_scope="s")
    assert selectors.balance(a) == D("8.00") and selectors.balance(b) == D("2.00")


def test_the_returned_transaction_is_the_stored_row(funded):
    """The service builds the posted transaction itself (no read back): every field as stored."""
    a, b = funded("10.00"), funded("0")
    plain = services.transfer(source=a, destination=b, amount=D("1.00"))
    keyed = services.transfer(source=a, destination=b, amount=D("2.00"), memo="rent", metadata={"month": "may"},
                              idempotency_key="k2", idempotency_scope="s")
    reversal = services.reverse(transaction=keyed, memo="undo")
    for txn in (plain, keyed, reversal):
        stored = Transaction.objects.get(pk=txn.pk)
        assert [getattr(txn, f.attname) for f in Transaction._meta.concrete_fields] == [
            getattr(stored, f.attname) for f in Transaction._meta.concrete_fields]
        assert not txn._state.adding and txn._state.db == "default"
    assert (keyed.memo, keyed.metadata, keyed.idempotency_key) == ("rent", {"month": "may"}, "k2")
    assert reversal.reverses == keyed and reversal.reverses_id == keyed.pk


def test_batch_entries_carry_each_running_balance(funded):
    a, b, c = funded("10.00"), funded("0"), funded("0")
    txn = services.transfer_many(legs=[(a, b, D("1.00")), (a, c, D("2.00")), (b, c, D("0.50"))])
    rows = list(txn.entries.order_by("id").values_list("account_id", "amount", "balance_after"))
    assert rows == [(a.pk, D("-1.00"), D("9.00")), (b.pk, D("1.00"), D("1.00")), (a.pk, D("-2.00"), D("7.00")),
                    (c.pk, D("2.00"), D("2.00")), (b.pk, D("-0.50"), D("0.50")), (c.pk, D("0.50"), D("2.50"))]
    assert services.verify_ledger().ok


@pytest.mark.parametrize(("twice", "outcome"), [(True, ("posted", None)), (False, ("refused", "account_not_found"))])
def test_wallet_post_counts_the_accounts_a_posting_names(funded, twice, outcome):
    """wallet_post counts distinct accounts (an account named twice is one) to tell a missing one."""
    from django.db import connection

    a = funded("5.00")
    accounts = [a.pk, a.pk] if twice else [a.pk, 10**12]
    with connection.cursor() as cur:
        cur.execute("SELECT outcome, code FROM wallet_post(gen_random_uuid(), 'test', '', '{}', '', NULL, '', NULL,"
                    " %s::bigint[], '{-1,1}'::numeric[], now())", [accounts])
        assert cur.fetchone() == outcome
    assert selectors.balance(a) == D("5.00")
