"""forecourt_core.drf.represent/validated: a serializer's output and validation, its fields built once per
process, equal to a fresh serializer's (errors included)."""
import re
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from forecourt_core.drf import AmountField, represent, validated


class Inner(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    at = serializers.DateTimeField()


class Outer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    price = serializers.DecimalField(max_digits=8, decimal_places=2)
    amount = AmountField(required=False)
    inner = Inner()
    tags = serializers.ListField(child=serializers.CharField(), required=False)

    def validate(self, attrs):
        if attrs.get("amount") == Decimal("13"):
            raise serializers.ValidationError({"amount": "unlucky"}, code="unlucky")
        return attrs


def test_represent_is_the_serializers_data():
    obj = SimpleNamespace(id=3, price=Decimal("1.5"), amount=Decimal("2.00"), tags=["a"],
                          inner=SimpleNamespace(name="n", at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)))
    for _ in range(2):
        assert represent(Outer, obj) == Outer(obj).data


@pytest.mark.parametrize("data", [
    {"id": 1, "price": "1.50", "inner": {"name": "ab", "at": "2026-01-02T03:04:05Z"}, "tags": ["x"]},
    {"id": 1, "price": "1.50", "amount": "13", "inner": {"name": "ab", "at": "2026-01-02T03:04:05Z"}},
    {"id": 0, "price": "abc", "inner": {"name": "toolong", "at": "never"}}, {}, [], None, "text",
    {"id": None, "price": None, "inner": None, "tags": [None]}, {"id": 2, "price": "1", "inner": [],
                                                                "amount": "-1"},
])
def test_validated_is_the_serializers_validation(data):
    def fresh():
        serializer = Outer(data=data)
        return (True, dict(serializer.validated_data)) if serializer.is_valid() else (False, serializer.errors)

    def shared():
        try:
            return True, dict(validated(Outer, data))
        except ValidationError as exc:
            return False, exc.detail

    for _ in range(2):  # after a refusal too: the shared fields keep nothing from one validation to the next
        assert shared() == fresh()


class Plain(serializers.Serializer):
    name = serializers.CharField(default="x")


class Hidden(serializers.Serializer):
    user = serializers.HiddenField(default=serializers.CurrentUserDefault())


class ContextDefault(serializers.Serializer):
    user = serializers.CharField(default=serializers.CurrentUserDefault())


class MethodField(serializers.Serializer):
    shown = serializers.SerializerMethodField()

    def get_shown(self, obj):
        return self.context["request"].user


class ContextFreeMethod(serializers.Serializer):
    shown = serializers.SerializerMethodField()

    def get_shown(self, obj) -> str:
        return obj.name.upper()


class NestedDeep(serializers.Serializer):
    plain = Plain()
    items = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    rows = MethodField(many=True)


class NestedHidden(serializers.Serializer):
    inner = Hidden()


@pytest.mark.parametrize(("serializer_class", "named"), [
    (Hidden, "user"), (ContextDefault, "user"), (MethodField, "shown"), (NestedDeep, "rows[].shown"),
    (NestedHidden, "inner.user"),
])
def test_a_serializer_needing_the_requests_context_is_refused(serializer_class, named):
    for use in (represent, validated):
        with pytest.raises(TypeError, match=rf"{serializer_class.__qualname__} cannot be bound.*{re.escape(named)}"):
            use(serializer_class, {})


def test_a_serializer_with_plain_defaults_nested_lists_and_a_context_free_method_binds():
    class Lists(serializers.Serializer):
        plain = Plain()
        items = serializers.ListField(child=serializers.DictField(child=serializers.CharField()), default=list)
        method = ContextFreeMethod(required=False)

    assert validated(Lists, {"plain": {}}) == {"plain": {"name": "x"}, "items": []}
    obj = SimpleNamespace(plain=SimpleNamespace(name="p"), items=[], method=SimpleNamespace(name="m"))
    assert represent(Lists, obj) == Lists(obj).data == {"plain": {"name": "p"}, "items": [], "method": {"shown": "M"}}
