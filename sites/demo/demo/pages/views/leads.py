"""The leads board's writes on a dealership's host: a new lead, and closing one as won with its final
price after a confirmation (with a warning when no commission rule covers the agent)."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from demo.pages.forms import AgreedPriceForm
from demo.pages.views.common import (
    current_dealership,
    dealership_only,
    flash_refusal,
    forbidden,
    refused,
    require_perm,
)
from django_car_listing import selectors as cars
from django_leads import selectors as leads
from django_leads import services as lead_services
from django_leads.errors import NotFound as LeadNotFound
from django_leads.models import LeadSource, LeadStatus, Sale
from django_leads.pipeline import check_transition
from forecourt_core.errors import DomainError
from forecourt_core.idempotency import form_idempotency_key


def open_cars():
    """The inventory a lead can be about: cars not sold and not deleted, newest first."""
    return cars.unsold_cars(store_key=current_dealership().schema_name)


def lead_form_context(request) -> dict:
    return {"cars": open_cars(), "sources": LeadSource.choices,
            "agents": list(leads.agent_list()) if request.user.has_perm("leads.assign_lead") else []}


@dealership_only
@require_perm("leads.add_lead")
def lead_new(request):
    """GET: the form; POST: the lead, assigned to the chosen agent, to an agent creating it, else by the rule."""
    if request.method != "POST":
        return render(request, "pages/dealer_lead_new.html", lead_form_context(request))
    post = request.POST
    car = None
    if post.get("car"):
        car = next((c for c in open_cars() if str(c.pk) == post["car"]), None)
        if car is None:
            messages.error(request, "That car is no longer available.")
            return redirect("pages:lead_new")
    agent = None
    if post.get("agent") and request.user.has_perm("leads.assign_lead"):
        profile = leads.active_agent(user_id=post["agent"])
        agent = profile.user if profile else None
    elif leads.active_agent(user_id=request.user.pk):
        agent = request.user  # an agent's own lead stays theirs
    try:
        lead = lead_services.lead_create(
            car=car, source=post.get("source") or "walk_in", by=request.user, agent=agent,
            contact_name=post.get("contact_name", "")[:200], contact_phone=post.get("contact_phone", "")[:40],
            contact_email=post.get("contact_email", "")[:254], notes=post.get("notes", "")[:2000])
    except DomainError as exc:
        flash_refusal(request, exc)
        return render(request, "pages/dealer_lead_new.html", {**lead_form_context(request), "values": post},
                      status=400)
    messages.success(request, f"Lead #{lead.pk} created" + (f", assigned to {lead.agent.username}." if lead.agent
                                                            else "."))
    return redirect("pages:lead", lead.pk)


@dealership_only
@require_perm("leads.view_lead")
def lead_win(request, lead_id: int):
    """GET: the final price, the payment and a commission warning; POST (confirmed): the sale."""
    try:
        lead = leads.lead_get(user=request.user, pk=lead_id)
    except LeadNotFound:
        raise Http404 from None
    if not leads.can_edit(request.user, lead):
        return forbidden(request, "Only the lead's agent or a manager can close this lead.")
    try:
        key = form_idempotency_key(request.POST)
        # A won lead resubmitted with its form's key may be the first platform win again: the service decides.
        if not (key and lead.status == LeadStatus.WON):
            check_transition(current=lead.status, target=LeadStatus.WON, user=request.user)
    except DomainError as exc:  # not negotiating yet, or already closed: the board says why
        return refused(request, exc, reverse("pages:leads"))
    rule = lead_services.commission_rule_for(agent_id=lead.agent_id) if lead.agent_id else None
    payments = [(v, label) for v, label in Sale.Payment.choices if v != Sale.Payment.PLATFORM or lead.buyer_id]
    context = {"lead": lead, "rule": rule, "payments": payments,
               "price": request.POST.get("agreed_price") or (lead.car.price if lead.car_id else "")}
    if request.method != "POST":
        return render(request, "pages/dealer_lead_win.html", context)
    if request.POST.get("confirm") != "1":
        messages.error(request, "Tick the confirmation: closing a lead as won cannot be undone.")
        return render(request, "pages/dealer_lead_win.html", context, status=400)
    payment = request.POST.get("payment") or Sale.Payment.OFFLINE
    price_form = AgreedPriceForm(request.POST)
    price = price_form.cleaned_data["agreed_price"] if price_form.is_valid() else None
    if payment == Sale.Payment.OFFLINE and price is None:
        messages.error(request, price_form.errors.get("agreed_price", ["Enter the final price the buyer pays."])[0])
        return render(request, "pages/dealer_lead_win.html", context, status=400)
    try:
        lead_services.lead_update_status(lead=lead, by=request.user, status=LeadStatus.WON, payment=payment,
                                         agreed_price=price if payment == Sale.Payment.OFFLINE else None,
                                         idempotency_key=key)
    except DomainError as exc:
        flash_refusal(request, exc)
        return render(request, "pages/dealer_lead_win.html", context, status=getattr(exc, "status_code", 400))
    sale = Sale.objects.select_related("lead").get(lead=lead)
    messages.success(request, f"Lead #{lead.pk} won: sold for {sale.agreed_price}.")
    return redirect(reverse("pages:leads"))


def my_work(user) -> dict:
    """An agent's or broker's own leads, sales and commissions (what "My work" and their home page show)."""
    return leads.agent_work(user=user)


@dealership_only
@require_perm("leads.view_lead")
def my_work_page(request):
    return render(request, "pages/dealer_my_work.html", my_work(request.user))
