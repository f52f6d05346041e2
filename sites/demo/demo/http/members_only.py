"""On a dealership's host, only its members (and platform staff) get past this point.

JWT authenticates inside DRF views, so a plain Django middleware would see an
anonymous user for API clients: this one authenticates the bearer token itself,
and the view's authentication is given the same user (accounts.authentication).
"""
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.shortcuts import render
from django_tenants.utils import get_public_schema_name
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError

from accounts.authentication import JWTAuthentication
from accounts.backends import current_role
from demo.http.errors import error_response

# Employees without a dealership role still read their own payslips (the payroll package allows only
# their own: anyone else's is a 404), so any signed-in user may reach these paths.
SIGNED_IN_PREFIXES = ("/api/payroll/payslips/",)
OPEN_PREFIXES = ("/api/auth/", "/api/schema/", "/api/docs/", "/api/redoc/", "/healthz", "/static/", "/media/",
                 "/accounts/login/", "/accounts/logout/", "/accounts/signup/", "/admin/", "/favicon.ico")


def _request_user(request):
    if request.user.is_authenticated:
        return request.user
    try:
        found = JWTAuthentication().authenticate(request)
    except (AuthenticationFailed, TokenError):  # a bad token, or a malformed header ("Bearer a b"): no user
        return None
    return found[0] if found else None


class DealershipMembersOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if connection.schema_name == get_public_schema_name() or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        user = _request_user(request)
        is_api = request.path.startswith("/api/")
        if user is None:
            if is_api:
                return error_response(401, "not_authenticated", "Sign in to use this dealership's API.")
            return redirect_to_login(request.get_full_path())
        if not (user.is_staff or current_role(user) or request.path.startswith(SIGNED_IN_PREFIXES)):
            if is_api:
                return error_response(403, "not_a_member", "You are not a member of this dealership.")
            return render(request, "403.html", {"message": "You are not a member of this dealership."}, status=403)
        return self.get_response(request)
