"""Marketplace -> CRM: a buyer contacting a dealer about a car becomes a lead in that dealer's schema.

The public site can't reach the dealership's own API (members only), so the
site offers this endpoint at the base domain and runs the leads service in the
car's dealership schema.
"""
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from django_car_listing.selectors import car_get
from django_leads.services import lead_create_from_contact
from tenancy.models import Dealership


@transaction.atomic
def dealer_contact(*, buyer, store_key: str, car_id: int, message: str = ""):
    """Returns (lead, created); a repeat contact within the merge window joins the open lead."""
    dealerships = Dealership.objects.exclude(schema_name=get_public_schema_name())
    if not store_key or not dealerships.filter(schema_name=store_key).exists():
        raise NotFound("No such dealership.")
    with schema_context(store_key):
        car = car_get(store_key=store_key, car_id=car_id)
        return lead_create_from_contact(buyer=buyer, car=car, message=message)


class DealerContactApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        store_key = serializers.CharField(max_length=63, help_text="The dealership (schema name) listing the car")
        car_id = serializers.IntegerField(min_value=1)
        message = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        lead_id = serializers.IntegerField()
        created = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer, 200: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead, created = dealer_contact(buyer=request.user, **data.validated_data)
        return Response({"lead_id": lead.pk, "created": created},
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
