"""OpenAPI component names that stay unique across packages.

Every package nests `InputSerializer` / `OutputSerializer` inside its views
(HackSoft style); drf-spectacular would name them all "Input"/"Output" and
collide. Prefix a nested serializer's component with its enclosing class.
"""
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


class AutoSchema(BaseAutoSchema):
    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        target = getattr(serializer, "child", serializer)
        cls = target if isinstance(target, type) else type(target)
        outer = cls.__qualname__.split(".")[0] if "." in cls.__qualname__ else ""
        if outer and not name.startswith(outer):
            name = f"{outer.removesuffix('Api').removesuffix('View')}{name}"
        return name


def drop_blank_format_defaults(result, generator, request, public):
    """`default: ""` on a formatted or non-empty string is valid Django (blank allowed on the model) but
    not valid OpenAPI: a default must satisfy its own schema. Such fields simply get no default."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("default") == "" and (node.get("format") or node.get("minLength", 0) > 0):
                del node["default"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
