"""The Idempotency-Key header of the API operations that move money, for every package that moves it through
the wallet (transfers, charge sales, car purchases and featuring, trading orders and deposits).

A client that retries after a timeout sends the same key: the operation happens once and the retry gets the
first answer (the same key with another body is 409 idempotency_conflict). Without the header these
operations answer 400 idempotency_key_required, so no retry can charge twice.
"""
import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from ..errors import IdempotencyKeyRequired, InvalidIdempotencyKey

HEADER = "Idempotency-Key"
_KEY = re.compile(r"[\x20-\x7e]{1,255}")

REQUIRED_PARAMETER = OpenApiParameter(
    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="Required: this operation moves money. 1 to 255 printable ASCII characters, unique per caller "
                "and operation; a retry with the same key and body gets the first answer, the same key with "
                "another body is 409 idempotency_conflict.")


def require_idempotency_key(request) -> str:
    """The request's key (surrounding spaces removed); 400 when it is missing or malformed."""
    raw = request.headers.get(HEADER)
    if raw is None:
        raise IdempotencyKeyRequired()
    key = raw.strip()
    if not _KEY.fullmatch(key):
        raise InvalidIdempotencyKey()
    return key
