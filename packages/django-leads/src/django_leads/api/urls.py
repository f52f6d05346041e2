"""URLs of the leads API: include at ``api/leads/`` (``path("api/leads/", include("django_leads.api.urls"))``)."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .analytics import AnalyticsApi
from .leads import LeadViewSet
from .money import (
    AgentListApi,
    AssignmentRuleApi,
    CommissionListApi,
    CommissionPayoutApi,
    CommissionRuleApi,
    SaleListApi,
)

app_name = "leads"

router = SimpleRouter()
router.register("", LeadViewSet, basename="lead")

urlpatterns = [
    path("analytics/", AnalyticsApi.as_view(), name="analytics"),
    path("sales/", SaleListApi.as_view(), name="sale-list"),
    path("commissions/", CommissionListApi.as_view(), name="commission-list"),
    path("commissions/<int:pk>/payout/", CommissionPayoutApi.as_view(), name="commission-payout"),
    path("commission-rules/", CommissionRuleApi.as_view(), name="commission-rules"),
    path("agents/", AgentListApi.as_view(), name="agent-list"),
    path("assignment-rule/", AssignmentRuleApi.as_view(), name="assignment-rule"),
    *router.urls,
]
