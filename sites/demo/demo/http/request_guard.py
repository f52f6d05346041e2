"""Refuse API requests no view could store or parse, before any view sees them, in the error shape.

- A JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 `request_too_large`. Django bounds form bodies itself
  (RequestDataTooBig, rendered by forecourt_core.drf.exception_handler) but DRF's JSON parser reads the raw stream,
  which no setting bounds.
- JSON nested deeper than API_MAX_JSON_DEPTH: 400 `json_too_deep` (Python's parser would raise
  RecursionError, a 500, near depth 1000; no payload of ours nests past a handful of levels).
- A NUL character in the path or the query string: 400 `invalid_characters`. PostgreSQL text cannot hold
  \\x00, so such a value reaching a query raised DataError (a 500); DRF already refuses it in bodies.
"""
import re

from django.conf import settings

from demo.http.errors import error_response

_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENERS = frozenset(b"[{")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when brackets outside strings nest deeper than `limit` (scanned in C by the regex)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for match in _JSON_TOKENS.finditer(body):
        token = match.group()
        if len(token) == 1:
            if token[0] in _OPENERS:
                depth += 1
                if depth > limit:
                    return True
            else:
                depth -= 1
    return False


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ApiRequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            refused = self._refusal(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refusal(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return error_response(400, "invalid_characters", "The URL contains a NUL character.")
        if "json" not in request.content_type:
            return None
        if _content_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return error_response(413, "request_too_large",
                                  f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
        limit = getattr(settings, "API_MAX_JSON_DEPTH", 64)
        if _content_length(request) and json_depth_exceeds(request.body, limit):
            return error_response(400, "json_too_deep", f"The JSON body nests deeper than {limit} levels.")
        return None
