"""My account on the marketplace: my cars (create, edit, on/off sale, history), purchases, saved, notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demo.pages import staged_uploads
from demo.pages.forms import CarForm, CarImagesForm, PriceForm
from demo.pages.views.common import int_param, page_window, public_only, refusal_text, refused
from demo.pages.views.marketplace import car_url
from django_car_listing import conf
from django_car_listing import selectors as cars
from django_car_listing import services as car_services
from django_car_listing.errors import CarNotFound
from django_notifications import selectors as inbox
from django_notifications import services as notifications
from forecourt_core.errors import DomainError
from forecourt_core.idempotency import form_idempotency_key

PAGE_SIZE = 20


def _my_car(request, car_id):
    try:
        car = cars.car_get(store_key="", car_id=car_id, user=request.user)
    except CarNotFound:
        raise Http404 from None
    if car.owner_id != request.user.pk:
        raise Http404
    return car


def _add_images(request, car, files) -> int:
    added = 0
    for upload in files:
        try:
            car_services.car_image_add(actor=request.user, store_key=car.store_key, car_id=car.pk, upload=upload)
            added += 1
        except DomainError as exc:
            messages.error(request, f"{upload.name}: {refusal_text(exc)}")
    return added


@public_only
@login_required
def my_cars(request):
    window = page_window(10**9, int_param(request, "page"), PAGE_SIZE)
    page = cars.store_cars(store_key="", owner=request.user, offset=window["offset"], limit=PAGE_SIZE)
    return render(request, "pages/my_cars.html", {
        "cars": page.results, "window": page_window(page.count, window["page"], PAGE_SIZE),
        "sold": cars.sold_by(user=request.user, limit=PAGE_SIZE).results,
    })


# A refusal from car-listing's services shown at the field it is about.
FIELD_OF_ERROR = {"invalid_vin": "vin", "duplicate_vin": "vin", "invalid_amount": "price"}


def car_form_view(request, *, store_key: str, car=None, done_url=None, template="pages/car_form.html"):
    """Create or edit a car (public: the owner; store: staff with car_listing perms).

    Every error is shown at once at its field; photos of a failed submit are kept (staged_uploads)."""
    initial = {f: getattr(car, f) for f in CarForm.base_fields} if car else None
    form = CarForm(request.POST or None, initial=initial)
    images = CarImagesForm(request.POST or None, request.FILES or None)
    tokens = request.POST.getlist("staged") if request.method == "POST" else []
    if request.method == "POST":
        form_ok, images_ok = form.is_valid(), images.is_valid()  # both run: every error at once
        if form_ok and images_ok and (car := _save_car(request, form, store_key, car)) is not None:
            added = _add_images(request, car, [*staged_uploads.take(request, tokens), *images.cleaned_data["images"]])
            messages.success(request, f"Saved {car.year} {car.make} {car.model}" +
                             (f" with {added} photo(s)." if added else "."))
            return redirect(done_url(car) if done_url else reverse("pages:my_car", args=[car.pk]))
        if images_ok:
            tokens += [k["token"] for k in staged_uploads.stage(request, images.cleaned_data["images"])]
    problems = len([k for k in form.errors if k != "__all__"]) + len(images.errors) if request.method == "POST" else 0
    return render(request, template, {"form": form, "images_form": images, "car": car, "problems": problems,
                                      "staged": staged_uploads.kept(request, tokens)})


def _save_car(request, form, store_key: str, car):
    """The created or updated car, or None with the service's refusal added to the form."""
    try:
        with transaction.atomic():
            if car is None:
                return car_services.car_create(actor=request.user, store_key=store_key, **form.cleaned_data)
            changed = {k: v for k, v in form.cleaned_data.items() if getattr(car, k) != v}
            return car_services.car_update(actor=request.user, store_key=store_key, car_id=car.pk, **changed)
    except DomainError as exc:
        form.add_error(FIELD_OF_ERROR.get(getattr(exc, "code", "")), refusal_text(exc))
    except ValidationError as exc:
        form.add_error(None, exc)
    return None


@public_only
@login_required
def car_new(request):
    return car_form_view(request, store_key="")


@public_only
@login_required
def my_car(request, car_id: int):
    car = _my_car(request, car_id)
    return render(request, "pages/my_car.html", {
        "car": car, "images": list(car.images.all()), "history": cars.ownership_history(car=car),
        "public_url": car_url("", car.pk), "price_form": PriceForm(initial={"price": car.price}),
        "feature_fee": conf.get("CAR_LISTING_FEATURE_FEE_PER_DAY"),
    })


@public_only
@login_required
def car_edit(request, car_id: int):
    return car_form_view(request, store_key="", car=_my_car(request, car_id))


def car_action(request, *, store_key: str, car_id: int, back: str):
    """Put on sale / return from sale / delete through car-listing's services."""
    action = request.POST.get("action")
    try:
        if action == "put_on_sale":
            form = PriceForm(request.POST)
            price = form.cleaned_data.get("price") if form.is_valid() else None
            if not form.is_valid():
                messages.error(request, "Enter a valid price (a positive amount with at most 2 decimals).")
                return redirect(back)
            car_services.car_put_on_sale(actor=request.user, store_key=store_key, car_id=car_id, price=price)
            messages.success(request, "The car is on sale." + (
                "" if _verified(store_key, car_id, request.user) else
                " It appears in search once a platform admin has verified it."))
        elif action == "return_from_sale":
            car_services.car_return_from_sale(actor=request.user, store_key=store_key, car_id=car_id)
            messages.success(request, "The car is no longer on sale; it is hidden from search.")
        elif action == "feature":
            days = request.POST.get("days", "")
            car_services.car_feature(actor=request.user, store_key=store_key, car_id=car_id, days=days,
                                     idempotency_key=form_idempotency_key(request.POST))
            messages.success(request, f"Featured for {days} day(s): it is shown first in search.")
        elif action == "delete":
            car_services.car_delete(actor=request.user, store_key=store_key, car_id=car_id)
            messages.success(request, "The car was removed.")
        else:
            messages.error(request, "Unknown action.")
    except DomainError as exc:
        return refused(request, exc, back)
    return redirect(back)


def _verified(store_key, car_id, user) -> bool:
    car = cars.car_get(store_key=store_key, car_id=car_id, user=user)
    return car.verification_status == "verified"


@public_only
@login_required
@require_POST
def my_car_action(request, car_id: int):
    car = _my_car(request, car_id)
    back = reverse("pages:my_car", args=[car.pk])
    if request.POST.get("action") == "delete":
        back = reverse("pages:my_cars")
    return car_action(request, store_key="", car_id=car.pk, back=back)


@public_only
@login_required
def purchases(request):
    page = cars.purchases(user=request.user, limit=50)
    for record in page.results:
        record.seller_name = (conf.store_name(record.from_store_key) if record.from_store_key
                              else getattr(record.previous_owner, "username", "") or "Private seller")
    return render(request, "pages/purchases.html", {"records": page.results, "count": page.count})


@public_only
@login_required
def saved(request):
    page = cars.saved_cars(user=request.user, limit=50)
    rows = [(s, idx, car_url(s.store_key, s.car_id)) for s, idx in page.results]
    return render(request, "pages/saved.html", {"rows": rows, "count": page.count})


@login_required
def notification_list(request):
    if request.method == "POST":
        try:
            if request.POST.get("action") == "read_all":
                notifications.mark_all_read(user=request.user)
            else:
                notifications.mark_read(user=request.user, notification_id=int(request.POST.get("id", 0)))
        except (DomainError, ValueError) as exc:
            return refused(request, exc, reverse("pages:notifications"))
        return redirect("pages:notifications")
    items = list(inbox.notification_list(user=request.user)[:50])
    return render(request, "pages/notifications.html", {"items": items})
