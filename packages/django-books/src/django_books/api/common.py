"""API helpers: per-method permission checks, pagination, date-range filters, CSV responses."""
from __future__ import annotations

from django.http import HttpResponse
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission

from ..errors import InvalidDateRange


class MethodPerms(BasePermission):
    """``view.perms = {"GET": "books.view_journalentry", ...}``; a method without an entry is refused."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        perm = getattr(view, "perms", {}).get(method)
        return perm is not None and request.user.has_perm(perm)


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class DateRangeSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise InvalidDateRange()
        return attrs


def csv_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def paginate(view, request, queryset, output_serializer):
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(output_serializer(page, many=True).data)
