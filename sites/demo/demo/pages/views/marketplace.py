"""The public marketplace: search (car-listing's marketplace_page), the car page, buy, save, contact."""
import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demo.glue.contact import dealer_contact
from demo.pages.forms import SearchForm
from demo.pages.views.common import int_param, is_dealership, page_window, refused
from django_car_listing import conf
from django_car_listing import selectors as cars
from django_car_listing import services as car_services
from django_car_listing.errors import CarNotFound
from django_car_listing.models import Fuel, Transmission
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from forecourt_core.display import money
from forecourt_core.errors import DomainError
from forecourt_core.idempotency import form_idempotency_key

PAGE_SIZE = 12


def car_url(store_key: str, car_id: int) -> str:
    if store_key:
        return reverse("pages:store_car", args=[store_key, car_id])
    return reverse("pages:car", args=[car_id])


def home(request):
    if is_dealership():
        from demo.pages.views.dealership import dashboard  # here: dealership imports account, which imports this

        return dashboard(request)
    return search(request)


def search(request):
    form = SearchForm(request.GET or None)
    filters, sort = {}, "featured"
    if form.is_bound and form.is_valid():
        filters, sort = form.filters(), form.cleaned_data.get("sort") or "featured"
    window = page_window(10**9, int_param(request, "page"), PAGE_SIZE)
    result = cars.marketplace_page(filters=filters, sort=sort, offset=window["offset"], limit=PAGE_SIZE)
    clamped = page_window(result.count, window["page"], PAGE_SIZE)
    if clamped["offset"] != window["offset"]:  # a page past the end shows the last page
        result = cars.marketplace_page(filters=filters, sort=sort, offset=clamped["offset"], limit=PAGE_SIZE)
    window = clamped
    for row in result.results:
        row.url = car_url(row.store_key, row.car_id)
        row.fuel_label = Fuel(row.fuel).label if row.fuel in Fuel.values else row.fuel
        row.transmission_label = (Transmission(row.transmission).label if row.transmission in Transmission.values
                                  else row.transmission)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "pages/search.html", {
        "form": form, "results": result.results, "count": result.count, "window": window,
        "query": query.urlencode(), "active_filters": len([k for k in filters if k != "q"]),
    })


def _load(request, store_key, car_id):
    return cars.car_get(store_key=store_key, car_id=car_id, user=request.user)


def car_detail(request, car_id: int, store: str = ""):
    try:
        car = _load(request, store, car_id)
    except CarNotFound:
        return render(request, "pages/car_gone.html", status=404)
    if request.session.session_key or request.user.is_authenticated:
        with contextlib.suppress(DomainError):  # a view counter must never break the page
            car_services.interaction_record(store_key=store, car_id=car.pk, kind="view", user=request.user,
                                            session_key=request.session.session_key, check_car=False)
    seller = car.owner.username if car.owner_id else _store_name(store)
    changes = price_changes(cars.price_history(car=car))
    saved = False
    if request.user.is_authenticated:
        saved = any(s.store_key == store and s.car_id == car.pk
                    for s, _ in cars.saved_cars(user=request.user, limit=100).results)
    return render(request, "pages/car.html", {
        "car": car, "store": store, "seller": seller, "images": list(car.images.all()), "saved": saved,
        "url": car_url(store, car.pk),
        "is_mine": bool(request.user.is_authenticated and car.owner_id == request.user.pk),
        "price_changes": changes,
        "was_price": changes[-2]["price"] if len(changes) > 1 and changes[-1]["delta"] < 0 else None,
    })


def price_changes(history: list[dict]) -> list[dict]:
    """The asking prices a car has had, oldest first, each with its change from the one before."""
    out = []
    for row in history:
        if out and row["price"] == out[-1]["price"]:
            continue
        delta = row["price"] - out[-1]["price"] if out else None
        out.append({"at": row["history_date"], "price": row["price"], "delta": delta})
    return out


def _store_name(store_key: str) -> str:
    return conf.store_name(store_key)


@login_required
def buy(request, car_id: int, store: str = ""):
    back = car_url(store, car_id)
    try:
        car = _load(request, store, car_id)
    except CarNotFound:
        return render(request, "pages/car_gone.html", status=404)
    account = wallet.account_for(request.user)
    if request.method == "POST":
        try:
            record = car_services.car_buy(buyer=request.user, store_key=store, car_id=car_id,
                                          idempotency_key=form_idempotency_key(request.POST))
        except DomainError as exc:
            return refused(request, exc, back)
        messages.success(request, f"You bought the {record.car.year} {record.car.make} {record.car.model} "
                                  f"for {money(record.price)}.")
        return redirect("pages:purchases")
    balance = wallet_selectors.available_balance(account)
    return render(request, "pages/buy_confirm.html", {
        "car": car, "url": back, "balance": balance, "short": balance < car.price,
    })


@login_required
@require_POST
def save(request, car_id: int, store: str = ""):
    back = car_url(store, car_id)
    try:
        if request.POST.get("action") == "unsave":
            car_services.car_unsave(user=request.user, store_key=store, car_id=car_id)
            messages.info(request, "Removed from your saved cars.")
        else:
            car_services.car_save(user=request.user, store_key=store, car_id=car_id)
            messages.success(request, "Saved. Find it under My account, Saved.")
    except DomainError as exc:
        return refused(request, exc, back)
    return redirect(back)


@login_required
@require_POST
def contact(request, store: str, car_id: int):
    """Contact dealer: a lead in the dealership's schema, through the same service as the API."""
    back = car_url(store, car_id)
    message = (request.POST.get("message") or "").strip()[:2000]
    try:
        _, created = dealer_contact(buyer=request.user, store_key=store, car_id=car_id, message=message)
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, "The dealer has your message and will contact you." if created
                     else "Added to your earlier request; the dealer will contact you.")
    return redirect(back)
