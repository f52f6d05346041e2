"""URLs of the package; include once under /api/ with namespace "payroll":

    path("api/", include("django_payroll.api.urls"))

which serves /api/hr/... and /api/payroll/... (URL names ``payroll:<name>``).
"""
from django.urls import path

from . import hr, payroll

app_name = "payroll"

urlpatterns = [
    # HR
    path("hr/employees/", hr.EmployeeListCreateApi.as_view(), name="employee-list"),
    path("hr/employees/<int:pk>/", hr.EmployeeDetailApi.as_view(), name="employee-detail"),
    path("hr/employees/<int:pk>/terminate/", hr.EmployeeTerminateApi.as_view(), name="employee-terminate"),
    path("hr/employees/<int:pk>/history/", hr.EmployeeHistoryApi.as_view(), name="employee-history"),
    path("hr/employees/<int:pk>/salaries/", hr.SalaryListCreateApi.as_view(), name="employee-salaries"),
    # Payroll
    path("payroll/tax-bands/", payroll.TaxBandsApi.as_view(), name="tax-bands"),
    path("payroll/runs/", payroll.RunListCreateApi.as_view(), name="run-list"),
    path("payroll/runs/<int:pk>/", payroll.RunDetailApi.as_view(), name="run-detail"),
    path("payroll/runs/<int:pk>/csv/", payroll.RunCsvApi.as_view(), name="run-csv"),
    path("payroll/runs/<int:pk>/calculate/", payroll.RunCalculateApi.as_view(), name="run-calculate"),
    path("payroll/runs/<int:pk>/adjustments/", payroll.RunAdjustmentCreateApi.as_view(), name="run-adjustments"),
    path("payroll/runs/<int:pk>/approve/", payroll.RunApproveApi.as_view(), name="run-approve"),
    path("payroll/runs/<int:pk>/pay/", payroll.RunPayApi.as_view(), name="run-pay"),
    path("payroll/payslips/", payroll.PayslipListApi.as_view(), name="payslip-list"),
    path("payroll/payslips/<int:pk>/", payroll.PayslipDetailApi.as_view(), name="payslip-detail"),
    path("payroll/payslips/<int:pk>/csv/", payroll.PayslipCsvApi.as_view(), name="payslip-csv"),
    path("payroll/payslips/<int:pk>/pdf/", payroll.PayslipPdfApi.as_view(), name="payslip-pdf"),
]
