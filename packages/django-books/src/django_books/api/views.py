"""The books' API (/api/books/...): chart, journal, periods, profile, vehicle costs, sales and
invoices, and the reports (JSON, and CSV under .../csv/)."""
from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf import AmountField, MethodPerms, Pagination, csv_response, paginate, query_params

from .. import selectors, services
from ..documents import invoice_pdf, report_table, to_csv
from ..errors import InvalidDateRange, UnbalancedEntry
from ..models import AccountType, JournalEntry, LedgerAccount, VehicleCost, VehicleSale

MONEY = {"max_digits": 18, "decimal_places": 2}
REPORTS_PERM = "books.view_reports"


class DateRangeSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise InvalidDateRange()
        return attrs


class LedgerAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerAccount
        fields = ["id", "code", "name", "type", "role", "is_active"]


class LedgerAccountUpdateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, required=False)
    name = serializers.CharField(max_length=100, required=False)
    type = serializers.ChoiceField(AccountType.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class LedgerAccountListCreateApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "books.view_ledgeraccount", "POST": "books.add_ledgeraccount"}

    class LedgerAccountCreateInputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=20)
        name = serializers.CharField(max_length=100)
        type = serializers.ChoiceField(AccountType.choices)

    @extend_schema(responses=LedgerAccountSerializer(many=True))
    def get(self, request):
        services.chart_ensure()
        return Response(LedgerAccountSerializer(selectors.account_list(), many=True).data)

    @extend_schema(request=LedgerAccountCreateInputSerializer, responses={201: LedgerAccountSerializer})
    def post(self, request):
        data = self.LedgerAccountCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.account_create(**data.validated_data)
        return Response(LedgerAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class LedgerAccountDetailApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "books.view_ledgeraccount", "PATCH": "books.change_ledgeraccount"}

    @extend_schema(responses=LedgerAccountSerializer)
    def get(self, request, code):
        return Response(LedgerAccountSerializer(get_object_or_404(LedgerAccount, code=code)).data)

    @extend_schema(request=LedgerAccountUpdateSerializer, responses=LedgerAccountSerializer)
    def patch(self, request, code):
        account = get_object_or_404(LedgerAccount, code=code)
        data = LedgerAccountUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(LedgerAccountSerializer(services.account_update(account=account, **data.validated_data)).data)


class JournalLineSerializer(serializers.Serializer):
    account = serializers.CharField(source="account.code")
    debit = serializers.DecimalField(**MONEY)
    credit = serializers.DecimalField(**MONEY)
    memo = serializers.CharField()
    source_type = serializers.CharField()
    source_id = serializers.CharField()


class JournalEntrySerializer(serializers.ModelSerializer):
    lines = JournalLineSerializer(many=True)
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)

    class Meta:
        model = JournalEntry
        fields = ["id", "date", "memo", "key", "reverses", "created_at", "lines"]


class JournalEntryListCreateApi(APIView):
    pagination_class = Pagination
    permission_classes = [MethodPerms]
    perms = {"GET": "books.view_journalentry", "POST": "books.add_journalentry"}

    class JournalEntryPostFilterSerializer(DateRangeSerializer):
        source_type = serializers.CharField(max_length=40, required=False, default="")
        source_id = serializers.CharField(max_length=64, required=False, default="")

    class JournalEntryPostInputSerializer(serializers.Serializer):
        class LineInput(serializers.Serializer):
            account = serializers.SlugRelatedField(slug_field="code", queryset=LedgerAccount.objects.all())
            debit = AmountField(allow_zero=True, default=Decimal("0"))
            credit = AmountField(allow_zero=True, default=Decimal("0"))
            memo = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

        date = serializers.DateField()
        memo = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        lines = LineInput(many=True, min_length=2, max_length=200)

    @extend_schema(parameters=[JournalEntryPostFilterSerializer], responses=JournalEntrySerializer(many=True))
    def get(self, request):
        filters = self.JournalEntryPostFilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return paginate(self, request, selectors.entry_list(**filters.validated_data), JournalEntrySerializer)

    @extend_schema(request=JournalEntryPostInputSerializer, responses={201: JournalEntrySerializer})
    def post(self, request):
        data = self.JournalEntryPostInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = []
        for line in data.validated_data["lines"]:
            if bool(line["debit"]) == bool(line["credit"]):
                raise UnbalancedEntry("Each line has either a debit or a credit.")
            lines.append(services.Line(line["account"], line["debit"] - line["credit"], memo=line["memo"]))
        entry, _ = services.entry_post(date=data.validated_data["date"], memo=data.validated_data["memo"],
                                       lines=lines, created_by=request.user)
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class JournalEntryDetailApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "books.view_journalentry"}

    @extend_schema(responses=JournalEntrySerializer)
    def get(self, request, entry_id):
        return Response(JournalEntrySerializer(get_object_or_404(selectors.entry_list(), pk=entry_id)).data)


class JournalEntryReverseApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"POST": "books.add_journalentry"}

    class JournalEntryReversalInputSerializer(serializers.Serializer):
        date = serializers.DateField(required=False)
        memo = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    @extend_schema(request=JournalEntryReversalInputSerializer, responses={201: JournalEntrySerializer})
    def post(self, request, entry_id):
        entry = get_object_or_404(JournalEntry, pk=entry_id)
        data = self.JournalEntryReversalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = services.entry_reverse(entry=entry, created_by=request.user, **data.validated_data)
        return Response(JournalEntrySerializer(reversal).data, status=status.HTTP_201_CREATED)


class PeriodCloseApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "books.view_journalentry", "POST": "books.close_period"}

    class PeriodCloseInputSerializer(serializers.Serializer):
        through = serializers.DateField()

    class PeriodCloseOutputSerializer(serializers.Serializer):
        closed_through = serializers.DateField(allow_null=True)

    @extend_schema(responses=PeriodCloseOutputSerializer)
    def get(self, request):
        return Response({"closed_through": services.closed_through()})

    @extend_schema(request=PeriodCloseInputSerializer, responses={201: PeriodCloseOutputSerializer})
    def post(self, request):
        data = self.PeriodCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        closed = services.period_close(through=data.validated_data["through"], closed_by=request.user)
        return Response({"closed_through": closed.closed_through}, status=status.HTTP_201_CREATED)


class BooksProfileApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "books.view_booksprofile", "PATCH": "books.change_booksprofile"}

    class BooksProfileSerializer(serializers.Serializer):
        legal_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        address = serializers.CharField(max_length=1000, required=False, allow_blank=True)
        vat_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
        vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"),
                                            max_value=Decimal("99.99"), required=False)
        vat_exempt = serializers.BooleanField(required=False)

    @extend_schema(responses=BooksProfileSerializer)
    def get(self, request):
        return Response(self.BooksProfileSerializer(services.profile_get()).data)

    @extend_schema(request=BooksProfileSerializer, responses=BooksProfileSerializer)
    def patch(self, request):
        data = self.BooksProfileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.BooksProfileSerializer(services.profile_update(**data.validated_data)).data)


class VehicleCostSerializer(serializers.ModelSerializer):
    class Meta:
        model = VehicleCost
        fields = ["id", "vehicle_id", "kind", "amount", "incurred_on", "description", "entry"]


class VehicleCostApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "books.view_vehiclecost", "POST": "books.add_vehiclecost"}

    class VehicleCostPostInputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(VehicleCost.Kind.choices)
        amount = AmountField()
        incurred_on = serializers.DateField()
        description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        paid_from = serializers.ChoiceField(["payables", "cash"], default="payables")

    @extend_schema(responses=VehicleCostSerializer(many=True))
    def get(self, request, vehicle_id):
        return Response(VehicleCostSerializer(selectors.vehicle_costs(vehicle_id), many=True).data)

    @extend_schema(request=VehicleCostPostInputSerializer, responses={201: VehicleCostSerializer})
    def post(self, request, vehicle_id):
        data = self.VehicleCostPostInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cost = services.vehicle_cost_add(vehicle_id=vehicle_id, created_by=request.user, **data.validated_data)
        return Response(VehicleCostSerializer(cost).data, status=status.HTTP_201_CREATED)


class VehicleSaleSerializer(serializers.ModelSerializer):
    margin = serializers.DecimalField(**MONEY)

    class Meta:
        model = VehicleSale
        fields = ["invoice_number", "key", "vehicle_id", "description", "customer_name", "sold_on", "gross", "net",
                  "vat", "vat_rate", "cost", "margin", "entry"]


class VehicleSaleListApi(APIView):
    pagination_class = Pagination
    permission_classes = [MethodPerms]
    perms = {"GET": "books.view_vehiclesale"}

    @extend_schema(parameters=[DateRangeSerializer], responses=VehicleSaleSerializer(many=True))
    def get(self, request):
        filters = DateRangeSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return paginate(self, request, selectors.vehicle_sales(**filters.validated_data), VehicleSaleSerializer)


class InvoicePdfApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "books.view_vehiclesale"}

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, invoice_number):
        sale = VehicleSale.objects.filter(invoice_number=invoice_number).first()
        if sale is None:
            raise Http404
        response = HttpResponse(invoice_pdf(sale), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="invoice-{sale.invoice_number}.pdf"'
        return response


class BooksReportApi(APIView):
    """GET ?date_from=&date_to= (the balance sheet: ?as_of=) -> the report; ``as_csv``: the same as CSV."""

    permission_classes = [MethodPerms]
    perms = {"GET": REPORTS_PERM}
    report = ""
    as_csv = False

    class BooksReportFilterSerializer(DateRangeSerializer):
        as_of = serializers.DateField(required=False)

    def build(self, request, filters: dict, **kwargs) -> dict:
        name = self.report
        if name == "balance-sheet":
            return selectors.balance_sheet(as_of=filters.get("as_of") or filters.get("date_to"))
        if name == "wallet-reconciliation":
            return selectors.wallet_reconciliation()
        if name == "general-ledger":
            account = get_object_or_404(LedgerAccount, code=kwargs["code"])
            return selectors.general_ledger(account=account, date_from=filters.get("date_from"),
                                            date_to=filters.get("date_to"))
        reads = {"trial-balance": selectors.trial_balance, "profit-and-loss": selectors.profit_and_loss,
                 "vat-return": selectors.vat_return,
                 "vehicle-margins": lambda **f: {"rows": selectors.vehicle_margins(**f)}}
        return reads[name](date_from=filters.get("date_from"), date_to=filters.get("date_to"))

    @extend_schema(parameters=[BooksReportFilterSerializer],
                   responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, **kwargs):
        filters = self.BooksReportFilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        report = self.build(request, filters.validated_data, **kwargs)
        if self.as_csv:
            return csv_response(to_csv(report_table(self.report, report)), f"{self.report}.csv")
        return Response(_jsonable(report))


def _jsonable(value):
    """Money as strings (never floats), dates as ISO strings."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)
