"""A serializer's output and validation with its fields built once per process.

DRF deep-copies and binds a serializer's declared fields (nested ones included) on every instantiation,
which can cost a hot endpoint more than the representation or the validation itself. Here each serializer
class has one instance, bound once per process, whose ``to_representation``/``run_validation`` are used:
they keep no state on the serializer. Only for serializers whose fields read neither ``context`` nor
``partial`` (no request, no view) and keep no state of their own; tests hold the output and the errors
equal to a fresh serializer's. A class with a field that needs the request's context (a HiddenField, a
default that ``requires_context``, a SerializerMethodField whose method reads ``context``: a method that
reaches it through another function is not seen), nested ones included, is refused with a TypeError when
first bound. A mutable ``default=`` (a list, a dict) is one object shared by every
validation: give a callable instead.
"""
from __future__ import annotations

from functools import cache

from rest_framework import serializers


@cache
def _bound(serializer_class) -> serializers.Serializer:
    serializer = serializer_class()
    if needing := list(_context_fields(serializer)):
        raise TypeError(f"{serializer_class.__qualname__} cannot be bound once per process: its fields "
                        f"{', '.join(needing)} need the request's context; use the serializer itself")
    return serializer


def _context_fields(field, path: str = ""):
    """The dotted names of the fields under ``field`` (itself included) that read the serializer's context."""
    default = getattr(field, "default", serializers.empty)
    if (isinstance(field, serializers.HiddenField) or getattr(default, "requires_context", False)
            or _method_reads_context(field)):
        yield path or type(field).__name__
    if isinstance(field, serializers.Serializer):
        for name, child in field.fields.items():
            yield from _context_fields(child, f"{path}.{name}" if path else name)
    elif (child := getattr(field, "child", None)) is not None:  # ListSerializer, ListField, DictField
        yield from _context_fields(child, f"{path}[]")


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


def _method_reads_context(field) -> bool:
    if not isinstance(field, serializers.SerializerMethodField):
        return False
    code = getattr(getattr(field.parent, field.method_name, None), "__code__", None)
    return code is None or "context" in code.co_names  # not a plain function: assume it may
