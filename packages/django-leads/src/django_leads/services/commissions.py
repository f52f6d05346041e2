"""Commission rules, accrual on a sale, and payout from the business account to the agent's wallet."""
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from forecourt_core.amounts import CENT, validate_amount
from forecourt_core.signals import send_on_commit

from .. import conf
from ..errors import InvalidCommissionRule
from ..models import AgentProfile, AgentRole, Commission, CommissionRule, Sale
from ..signals import commission_paid
from .events import record_commission_paid


def _percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount`` rounded half-up to the cent (the one place rounding is intended)."""
    return (amount * percent / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)

@transaction.atomic
def commission_rule_set(*, kind: str, percent: Decimal | None = None, amount: Decimal | None = None,
                        role: str = "", agent=None) -> CommissionRule:
    """The active rule for ``agent`` (or, without agent, for ``role``); replaces the previous one."""
    if kind == CommissionRule.Kind.PERCENT:
        if amount is not None or percent is None or isinstance(percent, float):
            raise InvalidCommissionRule()
        percent = Decimal(str(percent))
        if not (percent.is_finite() and Decimal(0) < percent <= Decimal(100)) or percent.as_tuple().exponent < -4:
            raise InvalidCommissionRule()
    elif kind == CommissionRule.Kind.FLAT:
        if percent is not None or amount is None:
            raise InvalidCommissionRule()
        amount = validate_amount(amount)
    else:
        raise InvalidCommissionRule()
    if agent is None and role not in AgentRole.values:
        raise InvalidCommissionRule("A rule needs an agent or a role.")
    scope = {"agent": agent} if agent is not None else {"agent__isnull": True, "role": role}
    # Lock the current rule of the scope so two concurrent replacements can't both stay active
    # (the partial unique index would refuse the second anyway).
    list(CommissionRule.objects.select_for_update().filter(is_active=True, **scope))
    CommissionRule.objects.filter(is_active=True, **scope).update(is_active=False)
    return CommissionRule.objects.create(kind=kind, percent=percent, amount=amount,
                                         role="" if agent is not None else role, agent=agent)


def commission_rule_for(*, agent_id: int) -> CommissionRule | None:
    """The agent's own active rule, else the active rule of the agent's role."""
    rule = CommissionRule.objects.filter(is_active=True, agent_id=agent_id).first()
    if rule is not None:
        return rule
    role = AgentProfile.objects.filter(user_id=agent_id).values_list("role", flat=True).first()
    if role is None:
        return None
    return CommissionRule.objects.filter(is_active=True, agent__isnull=True, role=role).first()


def commission_accrue(*, sale: Sale) -> Commission | None:
    """Accrue the sale agent's commission (None: no agent or no applicable rule). Runs in lead_win."""
    if sale.agent_id is None:
        return None
    rule = commission_rule_for(agent_id=sale.agent_id)
    if rule is None:
        return None
    is_percent = rule.kind == CommissionRule.Kind.PERCENT
    amount = _percent_of(sale.agreed_price, rule.percent) if is_percent else rule.amount
    if amount <= 0:
        return None
    return Commission.objects.create(sale=sale, agent_id=sale.agent_id, rule=rule, amount=amount)


@transaction.atomic
def commission_payout(*, commission: Commission, by=None) -> Commission:
    """Pay an accrued commission from the business account into the agent's wallet, exactly once.

    The commission row is locked first: a concurrent payout waits, then sees ``paid`` and returns
    without moving money. The wallet transfer runs in the same transaction (both or neither), and
    its idempotency key (the commission's UUID) is a second fence against a double payment.
    """
    from django_wallet import services as wallet

    locked = Commission.objects.select_for_update().get(pk=commission.pk)
    if locked.status == Commission.Status.PAID:
        return locked
    tx = wallet.transfer(
        source=conf.business_account(),
        destination=wallet.account_for(locked.agent),
        amount=locked.amount,
        kind="commission",
        memo=f"Commission for sale #{locked.sale_id}",
        metadata={"leads_commission": str(locked.uuid), "sale": locked.sale_id},
        idempotency_key=f"leads.commission:{locked.uuid}",
        idempotency_scope="leads.commission_payout",
    )
    locked.status = Commission.Status.PAID
    locked.paid_at = timezone.now()
    locked.paid_by = by
    locked.wallet_transaction_id = tx.pk
    locked.save(update_fields=["status", "paid_at", "paid_by", "wallet_transaction_id"])
    send_on_commit(commission_paid, sender=Commission, commission=locked)
    record_commission_paid(commission=locked)
    return locked


def commission_payout_accrued(*, agent=None, by=None) -> list[Commission]:
    """Pay every accrued commission (of ``agent``, or of everyone), each in its own transaction."""
    pending = Commission.objects.filter(status=Commission.Status.ACCRUED)
    if agent is not None:
        pending = pending.filter(agent=agent)
    return [commission_payout(commission=c, by=by) for c in pending.order_by("id")]
