from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from forecourt_core.admin import ReadOnlyAdmin

from .models import (
    Employee,
    PayrollRun,
    Payslip,
    PayslipLine,
    SalaryComponent,
    SalaryStructure,
    TaxBand,
)


class SalaryComponentInline(admin.TabularInline):
    model = SalaryComponent
    extra = 0


@admin.register(Employee)
class EmployeeAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "position", "department", "status", "hire_date", "termination_date"]
    list_filter = ["status", "department", "employment_type"]
    search_fields = ["first_name", "last_name", "email"]


@admin.register(SalaryStructure)
class SalaryStructureAdmin(SimpleHistoryAdmin):
    list_display = ["employee", "effective_from", "base_salary"]
    inlines = [SalaryComponentInline]


@admin.register(TaxBand)
class TaxBandAdmin(admin.ModelAdmin):
    list_display = ["lower", "upper", "rate"]


class PayslipLineInline(admin.TabularInline):
    model = PayslipLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PayrollRun)
class PayrollRunAdmin(ReadOnlyAdmin):
    list_display = ["period", "kind", "status", "total_net", "error_code", "paid_at"]
    list_filter = ["status", "kind"]


@admin.register(Payslip)
class PayslipAdmin(ReadOnlyAdmin):
    list_display = ["employee_name", "run", "gross", "total_deductions", "net"]
    inlines = [PayslipLineInline]
