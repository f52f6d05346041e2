"""Platform admin pages (marketplace host, staff only): verification queue, credit requests, new dealership."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tenants.utils import get_public_schema_name, schema_context

from demo.pages.forms import DealershipForm, RejectForm
from demo.pages.views.common import public_only, refused, staff_only
from django_car_listing import services as car_services
from django_car_listing.models import Car, Verification
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from django_wallet.models import CreditRequest
from forecourt_core.display import money
from forecourt_core.errors import DomainError
from forecourt_core.idempotency import form_idempotency_key
from tenancy.models import Dealership
from tenancy.services import dealership_create

QUEUE_PER_STORE = 50


def _submitted(store_key: str) -> list:
    # Display only: the queue reads the cars a verifier may act on, store by store (a schema each).
    with schema_context(store_key or get_public_schema_name()):
        return list(Car.objects.filter(store_key=store_key, deleted_at__isnull=True, is_sold=False,
                                       verification_status=Verification.SUBMITTED)
                    .select_related("owner").order_by("id")[:QUEUE_PER_STORE])


@public_only
@staff_only
def verification_queue(request):
    dealerships = Dealership.objects.exclude(schema_name=get_public_schema_name()).order_by("name")
    stores = [("", "Private sellers"), *dealerships.values_list("schema_name", "name")]
    groups = [(key, name, _submitted(key)) for key, name in stores]
    return render(request, "pages/staff_verification.html", {"groups": groups, "reject_form": RejectForm()})


@public_only
@staff_only
@require_POST
def verification_decide(request, car_id: int, store: str = ""):
    back = reverse("pages:staff_verification")
    try:
        if request.POST.get("action") == "verify":
            car_services.car_verify(actor=request.user, store_key=store, car_id=car_id)
            messages.success(request, f"Car #{car_id} verified.")
        else:
            car_services.car_reject(actor=request.user, store_key=store, car_id=car_id,
                                    reason=request.POST.get("reason", ""))
            messages.success(request, f"Car #{car_id} rejected.")
    except DomainError as exc:
        return refused(request, exc, back)
    return redirect(back)


@public_only
@staff_only
def credit_requests(request):
    if request.method == "POST":
        back = reverse("pages:staff_credit")
        found = CreditRequest.objects.filter(pk=request.POST.get("id") or 0).first()
        if found is None:
            messages.error(request, "No such credit request.")
            return redirect(back)
        try:
            if request.POST.get("action") == "approve":
                # The page's one-time key: a double submit gets the first approval again, not a refusal.
                wallet.credit_request_approve(credit_request=found, decided_by=request.user,
                                              idempotency_key=form_idempotency_key(request.POST))
                messages.success(request, f"Credit request #{found.pk} approved; {money(found.amount)} credited.")
            else:
                wallet.credit_request_reject(credit_request=found, decided_by=request.user)
                messages.success(request, f"Credit request #{found.pk} rejected.")
        except DomainError as exc:
            return refused(request, exc, back)
        return redirect(back)
    pending = list(wallet_selectors.credit_request_list(status=CreditRequest.Status.PENDING)[:100])
    decided = list(wallet_selectors.credit_request_list().exclude(status=CreditRequest.Status.PENDING)[:20])
    return render(request, "pages/staff_credit.html", {"pending": pending, "decided": decided})


@public_only
@staff_only
def dealership_new(request):
    form = DealershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        owner = None
        name = form.cleaned_data["owner_username"]
        if name:
            owner = get_user_model().objects.filter(username=name).first()
            if owner is None:
                form.add_error("owner_username", "There is no user with that username.")
        if not form.errors:
            try:
                dealership = dealership_create(name=form.cleaned_data["name"], slug=form.cleaned_data["slug"],
                                               owner=owner)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{dealership.name} is ready at {dealership.slug}.{request.get_host()}")
                return redirect("pages:staff_dealership_new")
    dealerships = list(Dealership.objects.exclude(schema_name=get_public_schema_name()).order_by("name"))
    return render(request, "pages/staff_dealership.html", {"form": form, "dealerships": dealerships})
