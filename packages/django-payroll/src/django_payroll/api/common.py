"""Shared API helpers: per-method permission checks, pagination, CSV."""
from __future__ import annotations

from django.http import HttpResponse
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission


class MethodPerms(BasePermission):
    """``view.perms = {"GET": "payroll.view_employee", ...}``; a method without an entry is refused.

    ``None`` as a value means "any signed-in user" (the view then filters what they may see).
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


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


def csv_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def paginate(view, request, queryset, output_serializer):
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(output_serializer(page, many=True).data)
