"""The DRF side of the kernel (needs the ``drf`` extra): the exception handler, pagination and the amount field.

Settings for a site or a package's tests::

    REST_FRAMEWORK = {
        "EXCEPTION_HANDLER": "forecourt_core.drf.exception_handler",
        "DEFAULT_PAGINATION_CLASS": "forecourt_core.drf.Pagination",
    }
"""
from .errors import exception_handler
from .fields import AmountField
from .pagination import KeysetPagination, Pagination

__all__ = ["AmountField", "KeysetPagination", "Pagination", "exception_handler"]
