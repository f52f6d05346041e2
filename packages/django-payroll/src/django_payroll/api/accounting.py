"""Accounting endpoints (/api/accounting/): categories, entries and financial reports (JSON and CSV)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf.fields import AmountField

from .. import selectors, services
from ..documents import to_csv
from ..models import Category, Entry
from .common import DateRangeSerializer, MethodPerms, Pagination, csv_response, paginate

MONEY = {"max_digits": 18, "decimal_places": 2}
REPORTS_PERM = "payroll.view_reports"


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "kind"]


class CategoryListCreateApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_category", "POST": "payroll.add_category"}

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request):
        return Response(CategorySerializer(selectors.category_list(), many=True).data)

    @extend_schema(request=CategorySerializer, responses={201: CategorySerializer})
    def post(self, request):
        data = CategorySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_ensure(**data.validated_data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class EntryListCreateApi(APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_entry", "POST": "payroll.add_entry"}

    class FilterSerializer(DateRangeSerializer):
        kind = serializers.ChoiceField(Category.Kind.choices, required=False)
        category = serializers.SlugField(required=False)

    class InputSerializer(serializers.Serializer):
        category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
        amount = AmountField(allow_zero=True)
        booked_on = serializers.DateField()
        description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    class OutputSerializer(serializers.ModelSerializer):
        category = serializers.CharField(source="category.code")

        class Meta:
            model = Entry
            fields = ["id", "category", "kind", "amount", "booked_on", "description", "source_type", "source_id",
                      "created_at"]

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginate(self, request, selectors.entry_list(**filters.validated_data), self.OutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.entry_create(created_by=request.user, **data.validated_data)
        return Response(self.OutputSerializer(entry).data, status=status.HTTP_201_CREATED)


class _ReportApi(APIView):
    """GET ?date_from=&date_to= -> {"rows": [...]}; the ``csv`` variant returns the same rows as CSV."""

    permission_classes = [MethodPerms]
    perms = {"GET": REPORTS_PERM}
    as_csv = False
    name = ""
    columns: list[str] = []

    def rows(self, **filters) -> list[dict]:
        raise NotImplementedError

    # One view class serves both paths (as_csv=True for the .../csv/ one): document both media types.
    @extend_schema(parameters=[DateRangeSerializer],
                   responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request):
        filters = DateRangeSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = self.rows(**filters.validated_data)
        if self.as_csv:
            content = to_csv([self.columns, *([str(r[c]) for c in self.columns] for r in rows)])
            return csv_response(content, f"{self.name}.csv")
        return Response({"rows": [{k: str(v) if k in self.money else v for k, v in r.items()} for r in rows]})

    money: frozenset = frozenset({"income", "expense", "profit", "total", "gross", "deductions", "net"})


class ProfitAndLossApi(_ReportApi):
    name, columns = "profit-and-loss", ["month", "income", "expense", "profit"]

    def rows(self, **filters):
        return selectors.profit_and_loss(**filters)


class RevenueBySourceApi(_ReportApi):
    name, columns = "revenue-by-source", ["category", "name", "total", "count"]

    def rows(self, **filters):
        return selectors.revenue_by_source(**filters)


class ExpensesByCategoryApi(_ReportApi):
    name, columns = "expenses-by-category", ["category", "name", "total", "count"]

    def rows(self, **filters):
        return selectors.expenses_by_category(**filters)


class PayrollByDepartmentApi(_ReportApi):
    name, columns = "payroll-by-department", ["department", "gross", "deductions", "net", "payslips"]

    def rows(self, **filters):
        return selectors.payroll_cost_by_department(**filters)


class CashPositionApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": REPORTS_PERM}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        position = selectors.cash_position()
        return Response({"account": position["account"], "balance": str(position["balance"]),
                         "available": str(position["available"])})
