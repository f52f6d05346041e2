"""Sign-in budgets for the token API and both login forms (the site's page and the admin's).

Users are global, so both budgets are global too: they live in the cache every host shares ("shared"),
never in the default cache, whose key function prefixes each key with the host's schema (which gave every
dealership host a budget of its own).

- Per client address: the "auth" rate (e.g. "20/min") over every sign-in, token refresh and registration,
  form or API alike, on any host.
- Per account: SIGN_IN_ACCOUNT_FAILURES failed passwords for one username within
  SIGN_IN_ACCOUNT_WINDOW seconds, from any number of addresses, lock that username out until the window
  ends; while locked even the right password is refused, before it is checked.
"""
import functools
import hashlib
import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.cache import caches
from django.dispatch import receiver
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

CACHE_ALIAS = "shared"


class SignInThrottle(SimpleRateThrottle):
    """The per-address budget (DRF's throttle, keyed by the socket address or NUM_PROXIES' choice)."""

    scope = "auth"

    @property
    def cache(self):
        return caches[CACHE_ALIAS]

    def get_rate(self):
        # Read at call time (DRF's class attribute is frozen at import), so settings overrides apply.
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --- per account ---------------------------------------------------------------------------------------------
def _account_key(username: str, part: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"sign-in:{part}:{digest}"


def account_lock_seconds(username) -> int:
    """Seconds until ``username`` may try again (0: not locked)."""
    if not isinstance(username, str) or not username:
        return 0
    until = caches[CACHE_ALIAS].get(_account_key(username, "locked-until"))
    return max(0, math.ceil(until - time.time())) if until else 0


def account_failure_record(username) -> None:
    """Count one failed password for ``username``; the limit-th failure in the window locks it."""
    if not isinstance(username, str) or not username:
        return
    cache, window = caches[CACHE_ALIAS], settings.SIGN_IN_ACCOUNT_WINDOW
    key = _account_key(username, "failures")
    cache.add(key, 0, timeout=window)
    if cache.incr(key) >= settings.SIGN_IN_ACCOUNT_FAILURES:
        cache.add(_account_key(username, "locked-until"), time.time() + window, timeout=window)


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failure_counted")
def _count_failed_sign_in(sender, credentials, **kwargs):
    # authenticate() sends this for every wrong password, from the token API and both forms alike.
    account_failure_record(credentials.get("username"))


def account_locked_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return (f"Too many failed sign-ins for this account. It is locked for {minutes} more minute"
            f"{'s' if minutes != 1 else ''}; try again later or reset your password.")


# --- the login forms -----------------------------------------------------------------------------------------
def sign_in_throttled(view, *, template: str = "pages/login.html"):
    """Wrap a login view: past either budget, a POST is answered 429 without checking the password."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            throttle = SignInThrottle()
            if not throttle.allow_request(request, None):
                wait = math.ceil(throttle.wait() or 60)
                return _refused(request, template, f"Too many sign-in attempts. Try again in {wait} seconds.", wait)
            locked = account_lock_seconds(request.POST.get("username"))
            if locked:
                return _refused(request, template, account_locked_message(locked), locked)
        return view(request, *args, **kwargs)

    return wrapped


def _refused(request, template: str, message: str, wait: int):
    messages.error(request, message, extra_tags="throttled")
    context = {"form": AuthenticationForm(request), "next": request.POST.get("next", "")}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response
