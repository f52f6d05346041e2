"""Payroll endpoints (/api/payroll/): tax bands, runs and their transitions, payslips."""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf import AmountField, MethodPerms, Pagination, csv_response, paginate, query_params
from forecourt_core.drf.schema import IDEMPOTENCY_KEY_REQUIRED
from forecourt_core.idempotency import require_idempotency_key

from .. import selectors, services
from ..documents import payslip_csv, payslip_pdf, run_csv
from ..models import ComponentKind, Employee, PayrollRun, TaxBand

MONEY = {"max_digits": 18, "decimal_places": 2}


class TaxBandsApi(APIView):
    """GET the tax table; PUT replaces it whole (bands must start at 0, be contiguous, end open)."""

    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_taxband", "PUT": "payroll.change_taxband"}

    class BandSerializer(serializers.Serializer):
        lower = serializers.DecimalField(**MONEY, min_value=0)
        upper = serializers.DecimalField(**MONEY, min_value=0, allow_null=True, required=False)
        rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)

    class InputSerializer(serializers.Serializer):
        bands = serializers.ListField(child=serializers.DictField(), allow_empty=True)

    TABLE = inline_serializer("TaxBandTable", {"bands": BandSerializer(many=True)})  # what GET and PUT answer

    @extend_schema(responses=TABLE)
    def get(self, request):
        return Response({"bands": self.BandSerializer(TaxBand.objects.all(), many=True).data})

    @extend_schema(request=InputSerializer, responses=TABLE)
    def put(self, request):
        body = self.InputSerializer(data=request.data)  # an object with "bands", not a bare list
        body.is_valid(raise_exception=True)
        data = self.BandSerializer(data=body.validated_data["bands"], many=True)
        data.is_valid(raise_exception=True)
        bands = services.tax_bands_replace(bands=data.validated_data)
        return Response({"bands": self.BandSerializer(bands, many=True).data})


class RunOutput(serializers.ModelSerializer):
    class Meta:
        model = PayrollRun
        fields = ["id", "period", "kind", "status", "note", "total_gross", "total_deductions", "total_net",
                  "error_code", "error_message", "wallet_transaction_id", "created_at", "calculated_at",
                  "approved_at", "paid_at"]


class RunListCreateApi(APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_payrollrun", "POST": "payroll.add_payrollrun"}

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(PayrollRun.Status.choices, required=False)
        kind = serializers.ChoiceField(PayrollRun.Kind.choices, required=False)

    class InputSerializer(serializers.Serializer):
        period = serializers.DateField(help_text="Any date in the month; stored as its first day.")
        kind = serializers.ChoiceField(PayrollRun.Kind.choices, default=PayrollRun.Kind.REGULAR)
        # Kept as sent: trimmed first, a 256-character note with a leading space would pass the schema's maxLength.
        note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="",
                                     trim_whitespace=False)

    class OutputSerializer(RunOutput):
        payslip_count = serializers.IntegerField()

        class Meta(RunOutput.Meta):
            fields = [*RunOutput.Meta.fields, "payslip_count"]

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return paginate(self, request, selectors.run_list(**filters.validated_data), self.OutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: RunOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.run_create(created_by=request.user, **data.validated_data)
        return Response(RunOutput(run).data, status=status.HTTP_201_CREATED)


class RunDetailApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_payrollrun"}

    @extend_schema(responses=RunOutput)
    def get(self, request, pk: int):
        return Response(RunOutput(get_object_or_404(PayrollRun, pk=pk)).data)


class RunCsvApi(APIView):
    """The run's payment report: one row per payslip (contains bank accounts: payslip viewers only)."""

    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_payslip"}

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        run = get_object_or_404(PayrollRun, pk=pk)
        payslips = selectors.payslip_list(user=request.user, run_id=run.pk).order_by("employee_name", "id")
        return csv_response(run_csv(payslips), f"payroll-{run.period:%Y-%m}-{run.kind}-{run.pk}.csv")


class _RunActionApi(APIView):
    permission_classes = [MethodPerms]

    def act(self, request, run: PayrollRun) -> PayrollRun:
        raise NotImplementedError

    @extend_schema(request=None, responses=RunOutput)
    def post(self, request, pk: int):
        run = self.act(request, get_object_or_404(PayrollRun, pk=pk))
        return Response(RunOutput(run).data)


class RunCalculateApi(_RunActionApi):
    perms = {"POST": "payroll.change_payrollrun"}

    def act(self, request, run):
        return services.run_calculate(run=run)


class RunApproveApi(_RunActionApi):
    perms = {"POST": "payroll.approve_payrollrun"}

    def act(self, request, run):
        return services.run_approve(run=run, approved_by=request.user)


class RunPayApi(_RunActionApi):
    """Pay the run once. `Idempotency-Key` is required but not stored: paying is idempotent by the run's
    state, so a repeat, whatever the key, pays nothing more and answers the paid run."""

    perms = {"POST": "payroll.pay_payrollrun"}

    @extend_schema(request=None, responses=RunOutput, parameters=[IDEMPOTENCY_KEY_REQUIRED])
    def post(self, request, pk: int):
        require_idempotency_key(request.headers)
        return super().post(request, pk)

    def act(self, request, run):
        return services.run_pay(run=run, paid_by=request.user)


class RunAdjustmentCreateApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"POST": "payroll.change_payrollrun"}

    class InputSerializer(serializers.Serializer):
        employee = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all())
        kind = serializers.ChoiceField(ComponentKind.choices)
        amount = AmountField(allow_zero=True)
        description = serializers.CharField(max_length=255)

    @extend_schema(request=InputSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        run = get_object_or_404(PayrollRun, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        adjustment = services.run_add_adjustment(run=run, **data.validated_data)
        return Response({"id": adjustment.pk, "run": run.pk, "status": PayrollRun.Status.DRAFT},
                        status=status.HTTP_201_CREATED)


class PayslipLineOutput(serializers.Serializer):
    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)


class PayslipOutput(serializers.Serializer):
    id = serializers.IntegerField()
    run = serializers.IntegerField(source="run_id")
    period = serializers.DateField(source="run.period")
    run_kind = serializers.CharField(source="run.kind")
    run_status = serializers.CharField(source="run.status")
    employee = serializers.IntegerField(source="employee_id")
    employee_name = serializers.CharField()
    department = serializers.CharField()
    position = serializers.CharField()
    days_in_period = serializers.IntegerField()
    days_paid = serializers.IntegerField()
    gross = serializers.DecimalField(**MONEY)
    total_deductions = serializers.DecimalField(**MONEY)
    net = serializers.DecimalField(**MONEY)


class PayslipListApi(APIView):
    """HR/accountants (payroll.view_payslip) list every payslip; other users only their own."""
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema

    permission_classes = [MethodPerms]
    perms = {"GET": None}

    class FilterSerializer(serializers.Serializer):
        run = serializers.IntegerField(required=False, min_value=1)
        employee = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(parameters=[FilterSerializer], responses=PayslipOutput(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        qs = selectors.payslip_list(user=request.user, run_id=filters.validated_data.get("run"),
                                    employee_id=filters.validated_data.get("employee"))
        return paginate(self, request, qs, PayslipOutput)


class PayslipDetailApi(APIView):
    """A payslip with its lines; 404 for a payslip the user may not see (no existence leak)."""

    permission_classes = [MethodPerms]
    perms = {"GET": None}

    class OutputSerializer(PayslipOutput):
        lines = PayslipLineOutput(many=True)

    def _get(self, request, pk: int):
        payslip = selectors.payslip_get(user=request.user, payslip_id=pk)
        if payslip is None:
            raise Http404
        return payslip

    @extend_schema(responses=OutputSerializer)
    def get(self, request, pk: int):
        return Response(self.OutputSerializer(self._get(request, pk)).data)


class PayslipCsvApi(PayslipDetailApi):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        payslip = self._get(request, pk)
        return csv_response(payslip_csv(payslip), f"payslip-{payslip.run.period:%Y-%m}-{payslip.pk}.csv")


class PayslipPdfApi(PayslipDetailApi):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        payslip = self._get(request, pk)
        response = HttpResponse(payslip_pdf(payslip), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="payslip-{payslip.run.period:%Y-%m}-{payslip.pk}.pdf"'
        return response
