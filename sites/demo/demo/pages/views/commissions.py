"""Commission rules and payouts on a dealership's host: the dealer and staff set rules, the dealer and the
accountant pay accrued commissions, agents and brokers read their own. The leads package's services."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demo.pages.forms import CommissionRuleValueForm
from demo.pages.views.common import dealership_only, refused, require_perm
from demo.pages.views.dealership import link_entries
from django_leads import selectors as leads
from django_leads import services as lead_services
from django_leads.models import AgentRole, Commission, CommissionRule
from forecourt_core.errors import DomainError


def rule_text(rule) -> str:
    """A rule in words: "2.5% of the sale price" / "150.00 per sale"."""
    if rule.kind == rule.Kind.PERCENT:
        return f"{rule.percent.normalize():f}% of the sale price"
    return f"{rule.amount} per sale"


def rule_scope(rule) -> str:
    if rule.agent_id:
        return rule.agent.get_username()
    return f"Every {AgentRole(rule.role).label.lower()}"


@dealership_only
@require_perm("leads.view_commission")
def commissions(request):
    rows = list(leads.commission_list(user=request.user).select_related("agent", "sale", "paid_by")
                .order_by("-accrued_at", "-id")[:200])
    show_books = request.user.has_perm("books.view_journalentry")
    if show_books:  # the accrual's entry, and the payment's once paid
        link_entries(rows, "commission-accrued:", "uuid")
        link_entries(rows, "commission-paid:", "uuid", attr="books_paid_entry")
    can_rules = request.user.has_perm("leads.manage_commissionrule")
    rules = [{"scope": rule_scope(r), "text": rule_text(r), "since": r.created_at}
             for r in leads.commission_rules()]
    return render(request, "pages/dealer_commissions.html", {
        "commissions": rows, "rules": rules, "can_rules": can_rules, "show_books": show_books,
        "can_pay": request.user.has_perm("leads.pay_commission"),
        "agents": list(leads.agent_list()) if can_rules else [], "roles": AgentRole.choices,
        "kinds": CommissionRule.Kind.choices, "accrued": Commission.Status.ACCRUED,
    })


@dealership_only
@require_perm("leads.manage_commissionrule")
@require_POST
def commission_rule_new(request):
    back = reverse("pages:commissions")
    scope, kind = request.POST.get("scope", ""), request.POST.get("kind", "")
    is_percent = kind == CommissionRule.Kind.PERCENT
    value_form = CommissionRuleValueForm(request.POST, percent=is_percent)
    if not value_form.is_valid():
        messages.error(request, value_form.errors["value"][0], extra_tags="invalid")
        return redirect(back)
    value = value_form.cleaned_data["value"]
    agent, role = None, ""
    if scope.startswith("agent:"):
        profile = leads.active_agent(user_id=scope.removeprefix("agent:") or 0)
        if profile is None:
            messages.error(request, "No such agent.")
            return redirect(back)
        agent = profile.user
    else:
        role = scope.removeprefix("role:")
    try:
        rule = lead_services.commission_rule_set(kind=kind, percent=value if is_percent else None,
                                                 amount=None if is_percent else value, role=role, agent=agent)
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"Commission rule set: {rule_scope(rule)} earns {rule_text(rule)}.")
    return redirect(back)


@dealership_only
@require_perm("leads.pay_commission")
@require_POST
def commission_pay(request, commission_id: int):
    """Pay one accrued commission. The form carries a one-time key like every money form; the commission's row
    lock and status are what make a second submit answer the first payment, so the service needs no key."""
    back = reverse("pages:commissions")
    try:
        commission = leads.commission_get(user=request.user, pk=commission_id)
        commission = lead_services.commission_payout(commission=commission, by=request.user)
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"Commission of {commission.amount} paid to {commission.agent.get_username()}.")
    return redirect(back)
