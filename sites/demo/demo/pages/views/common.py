"""Helpers every page uses: the refusal message for a package error, the current store, static files."""
import functools
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django_tenants.utils import get_public_schema_name

from forecourt_core.errors import DomainError

SITE_STATIC = Path(settings.BASE_DIR) / "static"


def refusal_text(exc: Exception) -> str:
    """A human sentence for a package error (DomainError) or a Django validation error."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, DomainError) and exc.fields:
        return " ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.fields.items())
    return str(exc)


def flash_refusal(request, exc: Exception) -> None:
    """The refusal as an error message (with its code), for a page that re-renders its form."""
    messages.error(request, refusal_text(exc), extra_tags=getattr(exc, "code", "refused"))


def refused(request, exc: Exception, redirect_to: str):
    """Flash the refusal and go back: the page never shows a stack trace for a domain refusal.

    Not found (a missing id, another dealership's id, or a row this user may not see) is the 404 page, as
    it is on a GET: a redirect would answer a foreign id differently from the API."""
    if getattr(exc, "status", None) == 404:
        raise Http404(str(exc))
    flash_refusal(request, exc)
    return HttpResponseRedirect(redirect_to)


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def forbidden(request, message: str):
    return render(request, "403.html", {"message": message}, status=403)


def is_dealership() -> bool:
    return connection.schema_name != get_public_schema_name()


def current_dealership():
    return connection.tenant if is_dealership() else None


def public_only(view):
    """Pages of the marketplace itself (my account, platform admin): 404 on a dealership host."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_dealership():
            raise Http404
        return view(request, *args, **kwargs)
    return wrapper


def dealership_only(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_dealership():
            raise Http404
        return view(request, *args, **kwargs)
    return wrapper


def require_perm(*perms):
    """A page for members holding every perm; others get the 403 page with a plain sentence."""
    def deco(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated or not all(request.user.has_perm(p) for p in perms):
                return forbidden(request, "Your role in this dealership does not allow this page.")
            return view(request, *args, **kwargs)
        return wrapper
    return deco


def staff_only(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            return forbidden(request, "Only platform administrators can open this page.")
        return view(request, *args, **kwargs)
    return wrapper



def page_window(count: int, page: int, size: int) -> dict:
    pages = max(1, -(-count // size))
    page = min(max(1, page), pages)
    return {"page": page, "pages": pages, "has_prev": page > 1, "has_next": page < pages,
            "prev": page - 1, "next": page + 1, "offset": (page - 1) * size}


def int_param(request, name: str, default: int = 1) -> int:
    try:
        return int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default
