"""The DRF side of the kernel (needs the ``drf`` extra): the exception handler, pagination, the amount field
and the helpers of thin views (a permission per method, a page of a queryset, a CSV download, a
serializer's output and validation with its fields built once per process).

Settings for a site or a package's tests::

    REST_FRAMEWORK = {
        "EXCEPTION_HANDLER": "forecourt_core.drf.exception_handler",
        "DEFAULT_PAGINATION_CLASS": "forecourt_core.drf.Pagination",
    }
"""
from .bound import represent, validated
from .errors import exception_handler
from .fields import AmountField
from .pagination import KeysetPagination, Pagination, counted_page, page_params
from .query import query_params
from .views import MethodPerms, csv_response, paginate

__all__ = ["AmountField", "KeysetPagination", "MethodPerms", "Pagination", "counted_page", "csv_response",
           "exception_handler", "page_params", "paginate", "query_params",
           "represent", "validated"]
