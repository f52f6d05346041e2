"""OpenAPI pieces shared by every package's views (needs drf-spectacular, which each package's API uses)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from ..idempotency import HEADER, MAX_LENGTH

# The header of every operation that moves money: the view reads it with
# ``forecourt_core.idempotency.require_idempotency_key(request.headers)``.
IDEMPOTENCY_KEY_REQUIRED = OpenApiParameter(
    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description=f"Required: this operation moves money. 1 to {MAX_LENGTH} printable ASCII characters, unique per "
                "caller and operation; a retry with the same key and body gets the first answer, the same key "
                "with another body is 409 idempotency_conflict.")
