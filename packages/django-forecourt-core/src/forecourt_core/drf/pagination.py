"""One pagination for every list the API returns.

Every list answers ``{"count": total, "next": url or null, "previous": url or null, "results": [...]}``;
``?page=N`` picks a page (from 1) and ``?page_size=N`` its size (default ``PAGE_SIZE``, at most
``MAX_PAGE_SIZE``). A page past the end is a ``404 not_found``.
"""
from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
