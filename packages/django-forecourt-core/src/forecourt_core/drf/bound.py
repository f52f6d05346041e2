"""A serializer's output and validation with its fields built once per process.

DRF deep-copies and binds a serializer's declared fields (nested ones included) on every instantiation,
which can cost a hot endpoint more than the representation or the validation itself. Here each serializer
class has one instance, bound once per process, whose ``to_representation``/``run_validation`` are used:
they keep no state on the serializer. Only for serializers whose fields read neither ``context`` nor
``partial`` (no request, no view) and keep no state of their own; tests hold the output and the errors
equal to a fresh serializer's.
"""
from __future__ import annotations

from functools import cache

from rest_framework import serializers


@cache
def _bound(serializer_class) -> serializers.Serializer:
    return serializer_class()


def represent(serializer_class, instance) -> dict:
    """``serializer_class(instance).data``."""
    return _bound(serializer_class).to_representation(instance)


def validated(serializer_class, data) -> dict:
    """``serializer_class(data=data)``'s ``validated_data`` after ``is_valid(raise_exception=True)``. A
    refusal is a fresh serializer's own (its ``errors``, as ``is_valid`` shapes them)."""
    try:
        return _bound(serializer_class).run_validation(data)
    except serializers.ValidationError:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data  # not reached while the fields keep no state
