"""Helpers for thin ``APIView`` classes: a permission per HTTP method, a page of a queryset, a CSV download."""
from __future__ import annotations

from django.http import HttpResponse
from rest_framework.permissions import BasePermission

from .pagination import Pagination


class MethodPerms(BasePermission):
    """The Django permission each method needs: ``view.perms = {"GET": "books.view_journalentry", ...}``.

    A method without an entry is refused; ``None`` as a value admits any signed-in user (the view
    then filters what they may see). HEAD and OPTIONS need what GET needs.
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        perms = getattr(view, "perms", {})
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        if method not in perms:
            return False
        perm = perms[method]
        return perm is None or request.user.has_perm(perm)


def paginate(view, request, queryset, serializer_class):
    """One page of ``queryset`` serialised with ``serializer_class``, in the kernel's page shape."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


def csv_response(content: str, filename: str) -> HttpResponse:
    """``content`` as a CSV attachment named ``filename``."""
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
