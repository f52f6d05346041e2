"""Sign up, sign in, sign out: Django's session auth; sign-up goes through accounts.services."""
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters

from accounts.services import user_register
from demo.glue import links
from demo.pages.forms import SignupForm
from demo.pages.views.common import current_dealership, is_dealership, safe_next


@sensitive_post_parameters("password")
def signup(request):
    if is_dealership():  # accounts are the marketplace's; a dealership only gives them a role
        return render(request, "pages/signup_dealership.html", {
            "dealership": current_dealership(), "signup_url": links.site_url(reverse("pages:signup")),
        })
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                                 email=form.cleaned_data["email"])
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            login(request, user, backend="accounts.backends.StaffModelBackend")
            messages.success(request, f"Welcome, {user.username}. Your wallet is open.")
            return redirect(safe_next(request, "/"))
    return render(request, "pages/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "pages/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the header's sign-out button is a small form with the CSRF token."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are signed out.")
        return response
