"""The query string as a filter serializer's ``data``: judged like a JSON body, as the schema describes it.

DRF reads a ``QueryDict`` like an HTML form: an empty value of an optional field counts as not given, so
``?status=`` or ``?make=`` answers as if absent although the published schema allows only a choice or a
non-empty string. ``query_params(request)`` gives the serializer a plain dict, so ``""`` is judged like any
other value (refused unless the field allows blank), and refuses a name given twice (the schema describes
one value)::

    filters = FilterSerializer(data=query_params(request))
"""
from __future__ import annotations

from ..errors import InvalidInput


def query_params(request) -> dict[str, str]:
    """One value per name of ``request``'s query string; a name given more than once is 400 validation_error."""
    repeated = sorted(name for name, values in request.query_params.lists() if len(values) > 1)
    if repeated:
        raise InvalidInput("Some fields are invalid.", code="validation_error",
                           fields={name: ["Give this parameter once."] for name in repeated})
    return request.query_params.dict()
