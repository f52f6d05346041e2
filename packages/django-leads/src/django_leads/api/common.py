"""Shared bits of the leads API: permission helper, car and user lookup."""
from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from ..models import Lead


def require_perm(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(f"Needs the {perm} permission.")


class CarField(serializers.IntegerField):
    """A car of this schema's inventory, by id (live cars only)."""

    default_error_messages = {"no_car": "No such car."}

    def __init__(self, *, for_sale_only: bool = False, **kwargs):
        self.for_sale_only = for_sale_only
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        pk = super().to_internal_value(data)
        car_model = Lead._meta.get_field("car").related_model
        cars = car_model.objects.filter(pk=pk, deleted_at__isnull=True)
        if self.for_sale_only:
            cars = cars.filter(is_for_sale=True)
        car = cars.first()
        if car is None:
            self.fail("no_car")
        return car


class UserField(serializers.IntegerField):
    default_error_messages = {"no_user": "No such user."}

    def to_internal_value(self, data):
        pk = super().to_internal_value(data)
        user = get_user_model().objects.filter(pk=pk).first()
        if user is None:
            self.fail("no_user")
        return user
