"""The project's error shape ({code, message, fields}), as the demo site renders it; tests only."""
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_handler


def handler(exc, context):
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "message": "Invalid input.", "fields": exc.detail}
    elif isinstance(exc, exceptions.APIException):
        code = getattr(exc, "default_code", "error")
        code = exc.code if isinstance(getattr(type(exc), "code", None), property) else code
        response.data = {"code": code, "message": str(exc.detail), "fields": {}}
    return response
