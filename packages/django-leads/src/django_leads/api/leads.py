"""The lead viewset under /api/leads/ (thin: validate, call one service or selector, serialise)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from forecourt_core.drf import AmountField, Pagination
from forecourt_core.idempotency import parse_idempotency_key, require_idempotency_key

from .. import selectors, services
from ..models import Lead, LeadSource, LeadStatus, Sale
from ..pipeline import allowed_targets
from .common import CarField, UserField, require_perm

PLATFORM_SALE_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Required when winning with platform payment (the buyer's wallet pays for the car): 1 to 255 "
                "printable ASCII characters; without it 400 idempotency_key_required.")


class LeadOutput(serializers.ModelSerializer):
    car = serializers.IntegerField(source="car_id", allow_null=True)
    buyer = serializers.IntegerField(source="buyer_id", allow_null=True)
    agent = serializers.IntegerField(source="agent_id", allow_null=True)
    sale = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = ["id", "car", "buyer", "contact_name", "contact_phone", "contact_email", "source", "notes",
                  "agent", "status", "lost_reason", "allowed_transitions", "sale", "created_at", "updated_at",
                  "first_contact_at", "closed_at"]

    def get_sale(self, lead) -> int | None:
        sale = getattr(lead, "sale", None) if lead.status == LeadStatus.WON else None
        return sale.pk if sale is not None else None

    def get_allowed_transitions(self, lead) -> list[str]:
        return allowed_targets(lead.status)


class LeadViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    lookup_value_regex = r"\d+"
    serializer_class = LeadOutput
    # Reads go through selectors; this only lets drf-spectacular resolve the model (pk path parameter).
    queryset = Lead.objects.none()

    class CreateInput(serializers.Serializer):
        car = CarField()
        source = serializers.ChoiceField(choices=LeadSource.choices, default=LeadSource.WALK_IN)
        buyer = UserField(required=False, allow_null=True, default=None)
        contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
        contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
        notes = serializers.CharField(required=False, allow_blank=True, default="")
        agent = UserField(required=False, allow_null=True, default=None)

    class UpdateInput(serializers.Serializer):
        source = serializers.ChoiceField(choices=LeadSource.choices, required=False)
        contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
        contact_email = serializers.EmailField(required=False, allow_blank=True)
        notes = serializers.CharField(required=False, allow_blank=True)

    class StatusInput(serializers.Serializer):
        status = serializers.ChoiceField(choices=LeadStatus.choices)
        lost_reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        agreed_price = AmountField(required=False)
        payment = serializers.ChoiceField(choices=Sale.Payment.choices, required=False)
        sold_on = serializers.DateField(required=False)

    class AssignInput(serializers.Serializer):
        agent = UserField(allow_null=True)

    class ContactInput(serializers.Serializer):
        car = CarField(for_sale_only=True)
        message = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    class ContactOutput(serializers.Serializer):
        id = serializers.IntegerField()
        created = serializers.BooleanField()

    class TimelineOutput(serializers.Serializer):
        at = serializers.DateTimeField()
        by = serializers.IntegerField(allow_null=True)
        by_name = serializers.CharField()
        type = serializers.CharField()
        status = serializers.CharField()
        reason = serializers.CharField()
        changes = serializers.ListField(child=serializers.DictField())

    def _editable_lead(self, request, pk) -> Lead:
        lead = selectors.lead_get(user=request.user, pk=pk)
        if not selectors.can_edit(request.user, lead):
            raise PermissionDenied("Only the lead's agent or a user with leads.change_lead can change it.")
        return lead

    def _out(self, lead, code=status.HTTP_200_OK) -> Response:
        return Response(LeadOutput(lead).data, status=code)

    @extend_schema(parameters=[], responses=LeadOutput(many=True))
    def list(self, request):
        qs = selectors.lead_list(user=request.user, filters=request.query_params)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(LeadOutput(page, many=True).data)

    @extend_schema(responses=LeadOutput)
    def retrieve(self, request, pk=None):
        return self._out(selectors.lead_get(user=request.user, pk=pk))

    @extend_schema(request=CreateInput, responses={201: LeadOutput})
    def create(self, request):
        require_perm(request.user, "leads.add_lead")
        data = self._valid(self.CreateInput, request.data)
        if data["agent"] is not None:
            require_perm(request.user, "leads.assign_lead")
        lead = services.lead_create(by=request.user, **data)
        return self._out(lead, status.HTTP_201_CREATED)

    @extend_schema(request=UpdateInput, responses=LeadOutput)
    def partial_update(self, request, pk=None):
        lead = self._editable_lead(request, pk)
        data = self._valid(self.UpdateInput, request.data)
        return self._out(services.lead_update(lead=lead, by=request.user, **data))

    @extend_schema(request=StatusInput, responses=LeadOutput, parameters=[PLATFORM_SALE_KEY])
    @action(detail=True, methods=["patch"])
    def update_status(self, request, pk=None):
        lead = self._editable_lead(request, pk)
        data = self._valid(self.StatusInput, request.data)
        # Won with platform payment buys the car: that moves money, so it needs a key like every payment.
        moves_money = data.get("status") == LeadStatus.WON and data.get("payment") == Sale.Payment.PLATFORM
        key = (require_idempotency_key if moves_money else parse_idempotency_key)(request.headers)
        lead = services.lead_update_status(lead=lead, by=request.user, idempotency_key=key, **data)
        return self._out(selectors.lead_get(user=request.user, pk=lead.pk))

    @extend_schema(request=AssignInput, responses=LeadOutput)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        lead = selectors.lead_get(user=request.user, pk=pk)  # a lead the caller may not see is a 404 first
        require_perm(request.user, "leads.assign_lead")
        data = self._valid(self.AssignInput, request.data)
        return self._out(services.lead_assign(lead=lead, agent=data["agent"], by=request.user))

    @extend_schema(responses=TimelineOutput(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        lead = selectors.lead_get(user=request.user, pk=pk)
        return Response(self.TimelineOutput(selectors.lead_timeline(lead=lead), many=True).data)

    @extend_schema(request=ContactInput, responses={201: ContactOutput, 200: ContactOutput})
    @action(detail=False, methods=["post"])
    def contact(self, request):
        """A signed-in buyer contacts the dealer about a car (repeat contacts within a day merge)."""
        data = self._valid(self.ContactInput, request.data)
        lead, created = services.lead_create_from_contact(buyer=request.user, **data)
        return Response({"id": lead.pk, "created": created},
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @staticmethod
    def _valid(serializer_class, data) -> dict:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
