"""One pagination for every list the API returns, in one response shape.

Every list answers ``{"count": total, "next": url or null, "previous": url or null, "results": [...]}``.

- ``Pagination`` (page numbers, the default): ``?page=N`` (from 1) and ``?page_size=N`` (default DRF's
  ``PAGE_SIZE`` setting, else 20; at most 100). A page past the end is a ``404 not_found``; a ``page`` or
  ``page_size`` that is not one positive whole number (empty, negative, repeated) is ``400 validation_error``.
- ``KeysetPagination`` (cursor pages, for lists too long to count): the same shape with ``count`` null;
  follow ``next``. The view's ``ordering`` (default newest first) must be unique. A malformed cursor, or one
  whose position the ordering field cannot read, is a ``400 validation_error`` naming ``cursor``.
- ``counted_page`` (a list whose selector counts and slices itself, e.g. with a capped count or its own
  keyset cursor): ``page_params(request)`` reads ``?page`` and ``?page_size`` strictly (a bad value is a
  ``400 validation_error`` naming it), ``counted_page(...)`` answers the same shape; ``count`` null when not
  known exactly.
"""
from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist, ValidationError
from rest_framework import pagination, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ..errors import InvalidInput
from .query import query_params

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000  # keeps a selector's OFFSET within PostgreSQL's bigint


def _page_size() -> int:
    return api_settings.PAGE_SIZE or PAGE_SIZE


_WHOLE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def _checked(request, name: str) -> None:
    """A page parameter, when given, is one positive whole number, as the schema publishes it.

    DRF would fall back to a default for ``page_size=-5``, ``page_size=`` or a repeated one, and read
    ``page=`` as page 1: input the schema refuses, answered as if valid. Here it is 400 validation_error.
    """
    values = request.query_params.getlist(name)
    if values and (len(values) > 1 or not _WHOLE_NUMBER.fullmatch(values[0])):
        raise InvalidInput("Some fields are invalid.", code="validation_error",
                           fields={name: ["A positive whole number, given once."]})


class Pagination(pagination.PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()  # the schema's page is an integer

    def paginate_queryset(self, queryset, request, view=None):
        _checked(request, self.page_query_param)
        _checked(request, self.page_size_query_param)
        self.page_size = _page_size()
        return super().paginate_queryset(queryset, request, view)


def _invalid_cursor() -> InvalidInput:
    return InvalidInput("Some fields are invalid.", code="validation_error", fields={"cursor": ["Invalid cursor."]})


class KeysetPagination(pagination.CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        _checked(request, self.page_size_query_param)
        self.page_size = _page_size()
        self._model = queryset.model  # decode_cursor checks the cursor's position against its ordering field
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:  # DRF's answer to a malformed cursor; it is bad input
            raise _invalid_cursor() from None
        # DRF takes the position as any text; one the ordering field cannot read would fail in the query.
        if cursor is not None and cursor.position is not None and not self._position_reads(cursor.position):
            raise _invalid_cursor()
        return cursor

    def _position_reads(self, position: str) -> bool:
        try:
            field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
        except (AttributeError, FieldDoesNotExist):  # an annotation: the database judges it
            return True
        try:
            field.to_python(position)
        except ValidationError:
            return False
        return True

    def get_paginated_response(self, data):
        return Response({"count": None, "next": self.get_next_link(), "previous": self.get_previous_link(),
                         "results": data})

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["properties"] = {"count": {"type": "integer", "nullable": True, "example": None}, **page["properties"]}
        return page


def page_params(request) -> tuple[int, int]:
    """``(page, page_size)`` from ``?page`` (1 to ``MAX_PAGE``) and ``?page_size`` (1 to ``MAX_PAGE_SIZE``,
    default the ``PAGE_SIZE`` setting, else 20); a bad value is a 400 validation_error naming it."""
    class PageInput(serializers.Serializer):
        page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
        page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=_page_size())

    params = PageInput(data=query_params(request))
    params.is_valid(raise_exception=True)
    return params.validated_data["page"], params.validated_data["page_size"]


def counted_page(request, *, results: list, count: int | None, page: int, page_size: int,
                 has_next: bool | None = None, next_cursor: str | None = None) -> Response:
    """The one page shape for ``results``, page ``page`` of a list a selector counted and sliced itself.

    ``count`` None: not known exactly (say a capped count); then ``has_next`` says whether a next page
    exists. ``next_cursor``: the list continues by its own keyset cursor, so ``next`` carries
    ``?cursor=`` instead of the next page number. A page past the end is a ``404 not_found``.
    """
    if page > 1 and not results:
        raise NotFound()
    url = request.build_absolute_uri()
    if has_next is None:
        has_next = count is not None and page * page_size < count
    if next_cursor:
        following = replace_query_param(remove_query_param(url, "page"), "cursor", next_cursor)
    else:
        following = replace_query_param(url, "page", page + 1) if has_next else None
    previous = None if page == 1 else replace_query_param(url, "page", page - 1)
    return Response({"count": count, "next": following, "previous": previous, "results": results})
