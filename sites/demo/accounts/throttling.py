"""Sign-in rate limit for the session login forms (the site's page and the admin's).

The same "auth" rate and cache bucket as the API's token, refresh and register endpoints
(DRF's ScopedRateThrottle keys anonymous clients by address the same way), so switching
between the form and the API buys an attacker no extra attempts.
"""
import functools
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle


class SignInThrottle(SimpleRateThrottle):
    scope = "auth"

    def get_rate(self):
        # Read at call time (DRF's class attribute is frozen at import), so settings overrides apply.
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def sign_in_throttled(view, *, template: str = "pages/login.html"):
    """Wrap a login view: past the rate, a POST is answered 429 without checking the password."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            throttle = SignInThrottle()
            if not throttle.allow_request(request, None):
                wait = math.ceil(throttle.wait() or 60)
                messages.error(request, f"Too many sign-in attempts. Try again in {wait} seconds.",
                               extra_tags="throttled")
                context = {"form": AuthenticationForm(request), "next": request.POST.get("next", "")}
                response = render(request, template, context, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapped
