"""HR endpoints (/api/hr/): employees, their history and salaries."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf import AmountField, MethodPerms, Pagination, paginate, query_params

from .. import selectors, services
from ..models import ComponentKind, Employee

MONEY = {"max_digits": 18, "decimal_places": 2}


class EmployeeOutput(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = ["id", "first_name", "last_name", "email", "user", "position", "department", "employment_type",
                  "hire_date", "termination_date", "status", "payout_target", "bank_account", "created_at"]


@extend_schema_field(OpenApiTypes.INT)  # a user's primary key
class UserField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.all()


class EmployeeInput(serializers.Serializer):
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    user = UserField(required=False, allow_null=True)
    position = serializers.CharField(max_length=150, required=False, allow_blank=True)
    department = serializers.CharField(max_length=150, required=False, allow_blank=True)
    employment_type = serializers.ChoiceField(Employee.EmploymentType.choices, required=False)
    hire_date = serializers.DateField()
    termination_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(Employee.Status.choices, required=False)
    payout_target = serializers.ChoiceField(Employee.PayoutTarget.choices, required=False)
    bank_account = serializers.CharField(max_length=64, required=False, allow_blank=True)


class EmployeeListCreateApi(APIView):
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_employee", "POST": "payroll.add_employee"}

    class FilterSerializer(serializers.Serializer):
        department = serializers.CharField(required=False, allow_blank=True)
        status = serializers.ChoiceField(Employee.Status.choices, required=False)
        search = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(parameters=[FilterSerializer], responses=EmployeeOutput(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return paginate(self, request, selectors.employee_list(**filters.validated_data), EmployeeOutput)

    @extend_schema(request=EmployeeInput, responses={201: EmployeeOutput})
    def post(self, request):
        data = EmployeeInput(data=request.data)
        data.is_valid(raise_exception=True)
        employee = services.employee_create(**data.validated_data)
        return Response(EmployeeOutput(employee).data, status=status.HTTP_201_CREATED)


class EmployeeDetailApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_employee", "PATCH": "payroll.change_employee"}

    @extend_schema(responses=EmployeeOutput)
    def get(self, request, pk: int):
        return Response(EmployeeOutput(get_object_or_404(Employee, pk=pk)).data)

    @extend_schema(request=EmployeeInput, responses=EmployeeOutput)
    def patch(self, request, pk: int):
        employee = get_object_or_404(Employee, pk=pk)
        data = EmployeeInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        employee = services.employee_update(employee=employee, **data.validated_data)
        return Response(EmployeeOutput(employee).data)


class EmployeeTerminateApi(APIView):
    permission_classes = [MethodPerms]
    perms = {"POST": "payroll.change_employee"}

    class InputSerializer(serializers.Serializer):
        termination_date = serializers.DateField()

    @extend_schema(request=InputSerializer, responses=EmployeeOutput)
    def post(self, request, pk: int):
        employee = get_object_or_404(Employee, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        employee = services.employee_terminate(employee=employee, **data.validated_data)
        return Response(EmployeeOutput(employee).data)


class EmployeeHistoryApi(APIView):
    """Every recorded version of the employee (django-simple-history), newest first."""
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema

    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_employee"}

    class OutputSerializer(serializers.Serializer):
        history_id = serializers.IntegerField()
        history_date = serializers.DateTimeField()
        history_type = serializers.CharField()
        history_user_id = serializers.IntegerField(allow_null=True)
        position = serializers.CharField()
        department = serializers.CharField()
        status = serializers.CharField()
        hire_date = serializers.DateField()
        termination_date = serializers.DateField(allow_null=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, pk: int):
        employee = get_object_or_404(Employee, pk=pk)
        return paginate(self, request, employee.history.order_by("-history_date", "-history_id"),
                        self.OutputSerializer)


class ComponentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(ComponentKind.choices)
    amount = AmountField(allow_zero=True)
    prorate = serializers.BooleanField(default=True)


class SalaryListCreateApi(APIView):
    """GET: every salary the employee had (effective-dated); POST: a new salary (e.g. a raise)."""

    permission_classes = [MethodPerms]
    perms = {"GET": "payroll.view_salarystructure", "POST": "payroll.add_salarystructure"}

    class InputSerializer(serializers.Serializer):
        effective_from = serializers.DateField()
        base_salary = AmountField(allow_zero=True)
        include_commission = serializers.BooleanField(default=True)
        note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        components = ComponentSerializer(many=True, required=False, default=list)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        effective_from = serializers.DateField()
        base_salary = serializers.DecimalField(**MONEY)
        include_commission = serializers.BooleanField()
        note = serializers.CharField()
        created_at = serializers.DateTimeField()
        components = ComponentSerializer(many=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, pk: int):
        employee = get_object_or_404(Employee, pk=pk)
        return Response(self.OutputSerializer(selectors.salary_history(employee=employee), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, pk: int):
        employee = get_object_or_404(Employee, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        structure = services.salary_create(employee=employee, **data.validated_data)
        structure = selectors.salary_history(employee=employee).get(pk=structure.pk)
        return Response(self.OutputSerializer(structure).data, status=status.HTTP_201_CREATED)
