"""Equivalent of the demo site's handler: every error as {code, message, fields}."""
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler


def handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = {"code": "invalid", "message": "Invalid input.", "fields": exc.detail}
    elif isinstance(exc, APIException):
        code = getattr(exc, "code", None)
        if not isinstance(code, str):
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else "error"
        response.data = {"code": code, "message": str(exc.detail), "fields": {}}
    return response
