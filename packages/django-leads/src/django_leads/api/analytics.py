"""GET /api/leads/analytics/: the dealer dashboard's numbers."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf.query import query_params

from .. import selectors
from ..selectors.analytics import BUCKETS
from .common import require_perm


class AnalyticsApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        start = serializers.DateField(required=False, allow_null=True, default=None)
        end = serializers.DateField(required=False, allow_null=True, default=None)
        bucket = serializers.ChoiceField(choices=BUCKETS, default="day")

    class OutputSerializer(serializers.Serializer):
        class Summary(serializers.Serializer):
            total = serializers.IntegerField()
            won = serializers.IntegerField()
            lost = serializers.IntegerField()
            conversion_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
            median_first_contact = serializers.DurationField(allow_null=True)

        class Agent(serializers.Serializer):
            agent_id = serializers.IntegerField()
            agent_name = serializers.CharField()
            handled = serializers.IntegerField()
            won = serializers.IntegerField()
            conversion_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
            response_time = serializers.DurationField(allow_null=True)
            sales = serializers.IntegerField()
            revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
            commission = serializers.DecimalField(max_digits=18, decimal_places=2)
            commission_paid = serializers.DecimalField(max_digits=18, decimal_places=2)

        class Meta:
            ref_name = "LeadsAnalytics"

        summary = Summary()
        over_time = serializers.DictField(child=serializers.ListField(child=serializers.DictField()))
        agents = Agent(many=True)

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request):
        require_perm(request.user, "leads.view_analytics")
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        data = selectors.dashboard(**filters.validated_data)
        return Response(self.OutputSerializer(data).data)
