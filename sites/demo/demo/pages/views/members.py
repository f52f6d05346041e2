"""The members page of a dealership's host: the same service and rules as /api/members/ (the dealer
manages every role, HR the staff roles); the page offers only what the viewer may do."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import ROLE_CHOICES, role_label
from demo.pages.views.common import current_dealership, dealership_only, refused, require_perm
from forecourt_core.errors import DomainError
from tenancy import selectors, services


@dealership_only
@require_perm("tenancy.manage_members")
def members(request):
    dealership = current_dealership()
    managed = services.roles_managed_by(by=request.user, dealership=dealership)
    if request.method == "POST":
        back = reverse("pages:members")
        try:
            membership = services.member_add(dealership=dealership, identifier=request.POST.get("user", ""),
                                             role=request.POST.get("role", ""), by=request.user)
        except DomainError as exc:
            return refused(request, exc, back)
        messages.success(request, f"{membership.user.username} added as {role_label(membership.role)}.")
        return redirect(back)
    rows = [{"m": m, "role_label": role_label(m.role),
             "can_change": m.user_id != request.user.pk and m.is_active and m.role in managed}
            for m in selectors.member_list(dealership=dealership)]
    return render(request, "pages/dealer_members.html", {
        "rows": rows, "roles": [(value, label) for value, label in ROLE_CHOICES if value in managed]})


@dealership_only
@require_perm("tenancy.manage_members")
@require_POST
def member_action(request, member_id: int):
    back = reverse("pages:members")
    try:
        membership = selectors.member_get(dealership=current_dealership(), pk=member_id)
        if request.POST.get("action") == "deactivate":
            membership = services.member_deactivate(membership=membership, by=request.user)
            messages.success(request, f"{membership.user.username} deactivated.")
        else:
            membership = services.member_role_change(membership=membership, role=request.POST.get("role", ""),
                                                     by=request.user)
            messages.success(request, f"{membership.user.username} is now {role_label(membership.role)}.")
    except DomainError as exc:
        return refused(request, exc, back)
    return redirect(back)
