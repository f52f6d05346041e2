"""One pagination for every list the API returns, in one response shape.

Every list answers ``{"count": total, "next": url or null, "previous": url or null, "results": [...]}``.

- ``Pagination`` (page numbers, the default): ``?page=N`` (from 1) and ``?page_size=N`` (default DRF's
  ``PAGE_SIZE`` setting, else 20; at most 100). A page past the end is a ``404 not_found``.
- ``KeysetPagination`` (cursor pages, for lists too long to count): the same shape with ``count`` null;
  follow ``next``. The view's ``ordering`` (default newest first) must be unique. A malformed cursor is a
  ``400 validation_error`` naming ``cursor``.
"""
from __future__ import annotations

from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.settings import api_settings

from ..errors import InvalidInput

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _page_size() -> int:
    return api_settings.PAGE_SIZE or PAGE_SIZE


class Pagination(pagination.PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = _page_size()
        return super().paginate_queryset(queryset, request, view)


class KeysetPagination(pagination.CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = _page_size()
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:  # DRF's answer to a malformed cursor; it is bad input
            raise InvalidInput("Some fields are invalid.", code="validation_error",
                               fields={"cursor": ["Invalid cursor."]}) from None

    def get_paginated_response(self, data):
        return Response({"count": None, "next": self.get_next_link(), "previous": self.get_previous_link(),
                         "results": data})

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["properties"] = {"count": {"type": "integer", "nullable": True, "example": None}, **page["properties"]}
        return page
