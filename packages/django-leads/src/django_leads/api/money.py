"""Sales, commissions, commission rules and the assignment rule."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf import AmountField, Pagination, paginate, query_params
from forecourt_core.drf.schema import IDEMPOTENCY_KEY_REQUIRED
from forecourt_core.idempotency import require_idempotency_key

from .. import selectors, services
from ..models import AgentRole, AssignmentRule, Commission, CommissionRule, Sale
from .common import UserField, require_perm


class SaleListApi(APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Sale
            ref_name = "LeadsSale"
            fields = ["id", "lead_id", "car_id", "car_key", "buyer_id", "buyer_name", "agent_id", "agreed_price",
                      "payment", "purchase_ref", "sold_on", "created_at"]

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        return paginate(self, request, selectors.sale_list(user=request.user), self.OutputSerializer)


class CommissionOutput(serializers.ModelSerializer):
    class Meta:
        model = Commission
        fields = ["id", "uuid", "sale_id", "agent_id", "rule_id", "amount", "status", "accrued_at", "paid_at",
                  "paid_by_id", "wallet_transaction_id"]


class CommissionListApi(APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Commission.Status.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses=CommissionOutput(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        qs = selectors.commission_list(user=request.user, status=filters.validated_data.get("status"))
        return paginate(self, request, qs, CommissionOutput)


class CommissionPayoutApi(APIView):
    """Pay one accrued commission. `Idempotency-Key` is required but not stored: the payout is idempotent by
    the commission's state, so calling it again (or twice at once), whatever the key, pays nothing more and
    answers the paid commission."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=CommissionOutput, parameters=[IDEMPOTENCY_KEY_REQUIRED])
    def post(self, request, pk):
        require_perm(request.user, "leads.pay_commission")
        require_idempotency_key(request.headers)
        commission = selectors.commission_get(user=request.user, pk=pk)
        commission = services.commission_payout(commission=commission, by=request.user)
        return Response(CommissionOutput(commission).data)


class CommissionRuleApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=CommissionRule.Kind.choices)
        percent = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, allow_null=True,
                                           default=None)
        amount = AmountField(required=False, allow_null=True, default=None)
        role = serializers.ChoiceField(choices=AgentRole.choices, required=False, allow_blank=True, default="")
        agent = UserField(required=False, allow_null=True, default=None)

        class Meta:
            ref_name = "LeadsCommissionRuleInput"

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = CommissionRule
            ref_name = "LeadsCommissionRule"
            fields = ["id", "kind", "percent", "amount", "role", "agent_id", "is_active", "created_at"]

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        require_perm(request.user, "leads.manage_commissionrule")
        rules = CommissionRule.objects.filter(is_active=True)
        return Response(self.OutputSerializer(rules, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        require_perm(request.user, "leads.manage_commissionrule")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.commission_rule_set(**data.validated_data)
        return Response(self.OutputSerializer(rule).data, status=status.HTTP_201_CREATED)


class AssignmentRuleApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        strategy = serializers.ChoiceField(choices=AssignmentRule.Strategy.choices)

        class Meta:
            ref_name = "LeadsAssignmentRuleInput"

    class OutputSerializer(serializers.Serializer):
        strategy = serializers.CharField()
        last_agent_id = serializers.IntegerField(allow_null=True)

        class Meta:
            ref_name = "LeadsAssignmentRule"

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        require_perm(request.user, "leads.assign_lead")
        rule = AssignmentRule.objects.filter(pk=1).first() or AssignmentRule()
        return Response(self.OutputSerializer(rule).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def put(self, request):
        require_perm(request.user, "leads.assign_lead")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.assignment_rule_update(strategy=data.validated_data["strategy"])
        return Response(self.OutputSerializer(rule).data)


class AgentListApi(APIView):
    """Active agents with their open lead counts (for assigning leads)."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        user_id = serializers.IntegerField()
        username = serializers.CharField(source="user.get_username")
        role = serializers.CharField()
        open_leads = serializers.IntegerField()

        class Meta:
            ref_name = "LeadsAgent"

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        if not (request.user.has_perm("leads.assign_lead") or selectors.can_see_all(request.user)):
            require_perm(request.user, "leads.assign_lead")
        return Response(self.OutputSerializer(selectors.agent_list(), many=True).data)
