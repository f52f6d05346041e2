"""A dealership's workspace on its subdomain (members only, see demo.http.members_only): dashboard,
inventory, leads board, sales. Every write goes through the packages' services."""
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_books import selectors as books

from accounts.backends import current_role
from demo.glue.dashboard import dashboard_figures
from demo.pages.views.account import car_action, car_form_view
from demo.pages.views.common import (
    current_dealership,
    dealership_only,
    forbidden,
    int_param,
    page_window,
    refused,
    require_perm,
    safe_next,
)
from demo.pages.views.leads import my_work
from django_car_listing import selectors as cars
from django_car_listing.errors import CarNotFound
from django_leads import selectors as leads
from django_leads import services as lead_services
from django_leads.errors import NotFound as LeadNotFound
from django_leads.models import LeadStatus
from django_leads.pipeline import TRANSITIONS
from django_payroll import selectors as payroll_books
from forecourt_core.errors import DomainError
from tenancy.selectors import member_list

PAGE_SIZE = 25


def _store() -> str:
    return current_dealership().schema_name


@dealership_only
def dashboard(request):
    user = request.user
    context = {"dealership": current_dealership(), "role": current_role(user) or ("staff" if user.is_staff else "")}
    if user.has_perm("tenancy.view_dashboard") or user.has_perm("leads.view_analytics"):
        figures = dashboard_figures(user=user)  # cached per dealership (demo/glue/dashboard.py)
        data = figures["data"]
        chart = {
            "funnel": figures["funnel"],
            # chart scale only; the cards keep Decimals
            "sales_by_month": {m["month"]: float(m["revenue"]) for m in figures["sales_months"]},
            "agents": [{"name": a["agent_name"], "won": a["won"], "handled": a["handled"],
                        "revenue": str(a["revenue"])} for a in data["agents"]],
            "agents_won": {a["agent_name"] or f"#{a['agent_id']}": a["won"] for a in data["agents"]},
            "summary": {k: (str(v) if v is not None else None) for k, v in data["summary"].items()},
        }
        if figures["pnl"] is not None:
            chart["profit_by_month"] = {r["month"]: float(r["profit"]) for r in figures["pnl"]}
            context["pnl"] = figures["pnl"]
        context.update(chart=chart, chart_json=json.dumps(chart), summary=data["summary"], agents=data["agents"],
                       sales_total=figures["sales_total"], sales_count=figures["sales_count"])
    context.update(_role_home(user))
    return render(request, "pages/dealer_dashboard.html", context)


def _role_home(user) -> dict:
    """What a role without the dashboard's figures starts its day with: an agent's or broker's own work,
    HR's people."""
    home = {}
    if user.has_perm("leads.view_lead") and not user.has_perm("leads.view_all_leads"):
        home.update(my_work(user), show_my_work=True)
    if user.has_perm("payroll.view_employee") and not user.has_perm("tenancy.view_dashboard"):
        home.update(show_people=True, employee_count=payroll_books.employee_list(status="active").count(),
                    member_count=member_list(dealership=current_dealership()).filter(is_active=True).count())
    return home


@dealership_only
@require_perm("car_listing.view_car")
def inventory(request):
    window = page_window(10**9, int_param(request, "page"), PAGE_SIZE)
    page = cars.store_cars(store_key=_store(), offset=window["offset"], limit=PAGE_SIZE)
    return render(request, "pages/dealer_inventory.html", {
        "cars": page.results, "window": page_window(page.count, window["page"], PAGE_SIZE),
        "can_edit": request.user.has_perm("car_listing.change_car"),
    })


@dealership_only
@require_perm("car_listing.add_car")
def inventory_new(request):
    return car_form_view(request, store_key=_store(), done_url=lambda car: reverse("pages:inventory"),
                         template="pages/car_form.html")


@dealership_only
@require_perm("car_listing.change_car")
def inventory_edit(request, car_id: int):
    try:
        car = cars.car_get(store_key=_store(), car_id=car_id, user=request.user)
    except CarNotFound:
        raise Http404 from None
    return car_form_view(request, store_key=_store(), car=car, done_url=lambda c: reverse("pages:inventory"))


@dealership_only
@require_perm("car_listing.change_car")
@require_POST
def inventory_action(request, car_id: int):
    return car_action(request, store_key=_store(), car_id=car_id, back=reverse("pages:inventory"))


def lead_moves(user, lead) -> list[tuple[str, str]]:
    """The statuses ``user`` may move ``lead`` to: the pipeline table's, minus those needing a permission
    the user lacks (reopening a lost lead is a manager's)."""
    return [(to, LeadStatus(to).label) for (frm, to), perm in TRANSITIONS.items()
            if frm == lead.status and (perm is None or user.has_perm(perm))]


@dealership_only
@require_perm("leads.view_lead")
def leads_board(request):
    """One column per status; an agent sees their own leads, a manager all ("mine=1": only their own)."""
    qs = leads.lead_list(user=request.user).select_related("agent", "buyer", "car")
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(agent=request.user)
    rows = list(qs.order_by("-created_at")[:300])
    columns = []
    for value, label in LeadStatus.choices:
        items = [(lead, lead_moves(request.user, lead) if leads.can_edit(request.user, lead) else [])
                 for lead in rows if lead.status == value]
        columns.append({"value": value, "label": label, "items": items})
    return render(request, "pages/dealer_leads.html", {"columns": columns, "mine": mine})


@dealership_only
@require_perm("leads.view_lead")
def lead_detail(request, lead_id: int):
    try:
        lead = leads.lead_get(user=request.user, pk=lead_id)
    except LeadNotFound:  # the leads package's own 404 (not DRF's NotFound): missing or not visible
        raise Http404 from None
    agents = list(leads.agent_list()) if request.user.has_perm("leads.assign_lead") else []
    return render(request, "pages/dealer_lead.html", {"lead": lead, "timeline": leads.lead_timeline(lead=lead),
                                                      "agents": agents, "books_entries": _lead_entries(request, lead)})


def _lead_entries(request, lead) -> list:
    """The journal entries a won lead caused: its offline sale and its commissions (books readers only)."""
    sale = getattr(lead, "sale", None) if lead.status == LeadStatus.WON else None
    if sale is None or not request.user.has_perm("books.view_journalentry"):
        return []
    keys = [f"lead-sale:{sale.pk}", *(f"commission-accrued:{c.uuid}" for c in sale.commissions.all())]
    found = books.entries_by_key(keys)
    return [found[key] for key in keys if key in found]


@dealership_only
@require_perm("leads.assign_lead")
@require_POST
def lead_assign(request, lead_id: int):
    back = reverse("pages:lead", args=[lead_id])
    try:
        lead = leads.lead_get(user=request.user, pk=lead_id)
        agent_id = request.POST.get("agent") or None
        agent = get_user_model().objects.filter(pk=agent_id).first() if agent_id else None
        if agent_id and agent is None:
            messages.error(request, "No such agent.")
            return redirect(back)
        lead_services.lead_assign(lead=lead, agent=agent, by=request.user)
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"Lead #{lead_id} assigned to {agent.username if agent else 'nobody'}.")
    return redirect(back)


@dealership_only
@require_perm("leads.view_lead")
@require_POST
def lead_move(request, lead_id: int):
    """The board's buttons: the same checks and service as the API's update_status. Won is closed on its
    own page (final price, confirmation): demo/pages/views/leads.py."""
    back = safe_next(request, reverse("pages:leads"))
    status = request.POST.get("status", "")
    if status == LeadStatus.WON:
        return redirect("pages:lead_win", lead_id)
    try:
        lead = leads.lead_get(user=request.user, pk=lead_id)
        if not leads.can_edit(request.user, lead):
            return forbidden(request, "Only the lead's agent or a manager can move this lead.")
        lead_services.lead_update_status(lead=lead, by=request.user, status=status,
                                         lost_reason=request.POST.get("lost_reason", ""))
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"Lead #{lead_id} moved to {LeadStatus(status).label.lower()}.")
    return redirect(back)


@dealership_only
@require_perm("car_listing.view_sale")
def sales(request):
    """Marketplace and offline sales, with people's names; commissions with their status in words."""
    store_sales = cars.store_sales(store_key=_store(), limit=100).results
    lead_sales, commissions = [], []
    if request.user.has_perm("leads.view_sale"):
        lead_sales = list(leads.sale_list(user=request.user).select_related("agent").order_by("-sold_on", "-id")[:100])
    if request.user.has_perm("leads.view_commission"):
        commissions = list(leads.commission_list(user=request.user).select_related("agent", "sale")
                           .order_by("-accrued_at", "-id")[:100])
    if request.user.has_perm("books.view_journalentry"):
        link_entries(store_sales, "car-sale:", "pk")
        link_entries(lead_sales, "lead-sale:", "pk")
        link_entries(commissions, "commission-accrued:", "uuid")
        link_entries(commissions, "commission-paid:", "uuid", attr="books_paid_entry")
    buyers = dict(get_user_model().objects.filter(pk__in={s.buyer_id for s in store_sales})
                  .values_list("pk", "username"))
    return render(request, "pages/dealer_sales.html", {
        "store_sales": [{"sale": s, "buyer": buyers.get(s.buyer_id, "-")} for s in store_sales],
        "lead_sales": lead_sales, "commissions": commissions})


def link_entries(rows, prefix: str, field: str, attr: str = "books_entry") -> None:
    """Give each row the journal entry it caused (``attr``; None while it is not posted)."""
    found = books.entries_by_key(f"{prefix}{getattr(row, field)}" for row in rows)
    for row in rows:
        setattr(row, attr, found.get(f"{prefix}{getattr(row, field)}"))
