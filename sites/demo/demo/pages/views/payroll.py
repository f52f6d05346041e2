"""Payroll on a dealership's host: employees and salaries (HR), runs (calculate, approve, pay) and payslips.
The same permissions and services as django-payroll's API."""
import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_books import selectors as books

from demo.pages.forms import ComponentFormSet, EmployeeEditForm, EmployeeForm, SalaryForm
from demo.pages.views.common import dealership_only, flash_refusal, forbidden, refused, require_perm
from django_payroll import selectors, services
from django_payroll.documents import payslip_pdf as render_pdf
from django_payroll.models import Employee, PayrollRun
from forecourt_core.errors import DomainError

ACTIONS = {
    # action: (permission, service name, message, the run statuses the service accepts)
    "calculate": ("payroll.change_payrollrun", "run_calculate", "calculated", {"draft", "calculated"}),
    "approve": ("payroll.approve_payrollrun", "run_approve", "approved", {"calculated"}),
    "pay": ("payroll.pay_payrollrun", "run_pay", "paid", {"approved"}),
}


@dealership_only
@require_perm("payroll.view_employee")
def employees(request):
    """The list for anyone who may see employees; HR also gets the create form (POST creates)."""
    form = None
    if request.user.has_perm("payroll.add_employee"):
        form = EmployeeForm(request.POST or None)
    elif request.method == "POST":
        return forbidden(request, "Your role cannot add employees.")
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.employee_create(**form.service_fields())
        except DomainError as exc:
            flash_refusal(request, exc)  # shown on the re-rendered form, input kept
        else:
            messages.success(request, f"Employee {employee.first_name} {employee.last_name} added.")
            return redirect("pages:employee", employee.pk)
    rows = list(selectors.employee_list(search=request.GET.get("q", ""))[:200])
    return render(request, "pages/dealer_employees.html", {"employees": rows, "form": form})


def _employee(pk):
    employee = Employee.objects.select_related("user").filter(pk=pk).first()
    if employee is None:
        raise Http404
    return employee


def _employee_page(request, employee, *, edit_form=None, salary_form=None, components=None):
    user = request.user
    if edit_form is None and user.has_perm("payroll.change_employee"):
        edit_form = EmployeeEditForm(initial=EmployeeEditForm.initial_for(employee))
    if salary_form is None and user.has_perm("payroll.add_salarystructure"):
        salary_form, components = SalaryForm(), ComponentFormSet(prefix="comp")
    salaries = (list(selectors.salary_history(employee=employee))
                if user.has_perm("payroll.view_salarystructure") else None)
    return render(request, "pages/dealer_employee.html", {
        "employee": employee, "edit_form": edit_form, "salary_form": salary_form, "components": components,
        "salaries": salaries,
    })


@dealership_only
@require_perm("payroll.view_employee")
def employee_detail(request, employee_id: int):
    """Details, salary history (view_salarystructure) and the edit form (change_employee; POST saves)."""
    employee = _employee(employee_id)
    if request.method != "POST":
        return _employee_page(request, employee)
    if not request.user.has_perm("payroll.change_employee"):
        return forbidden(request, "Your role cannot change employees.")
    form = EmployeeEditForm(request.POST)
    if form.is_valid():
        changed = {k: v for k, v in form.service_fields().items() if getattr(employee, k) != v}
        try:
            employee = services.employee_update(employee=employee, **changed)
        except DomainError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, f"Employee {employee.first_name} {employee.last_name} saved.")
            return redirect("pages:employee", employee.pk)
    return _employee_page(request, employee, edit_form=form)


@dealership_only
@require_perm("payroll.view_employee")
@require_POST
def salary_new(request, employee_id: int):
    """A new salary structure (a raise is a new one; older ones stay as history)."""
    if not request.user.has_perm("payroll.add_salarystructure"):
        return forbidden(request, "Your role cannot set salaries.")
    employee = _employee(employee_id)
    form, components = SalaryForm(request.POST), ComponentFormSet(request.POST, prefix="comp")
    if form.is_valid() and components.is_valid():
        rows = [c for c in (f.component() for f in components.forms) if c]
        try:
            structure = services.salary_create(employee=employee, components=rows, **form.cleaned_data)
        except DomainError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, f"Salary of {structure.base_salary} from {structure.effective_from} added.")
            return redirect("pages:employee", employee.pk)
    return _employee_page(request, employee, salary_form=form, components=components)


@dealership_only
@require_perm("payroll.view_payrollrun")
def runs(request):
    if request.method == "POST":
        if not request.user.has_perm("payroll.add_payrollrun"):
            messages.error(request, "Your role cannot start payroll runs.")
            return redirect("pages:payroll")
        try:
            period = dt.date.fromisoformat((request.POST.get("period") or "") + "-01")
        except ValueError:
            messages.error(request, "Choose the month to pay.")
            return redirect("pages:payroll")
        try:
            run = services.run_create(period=period, created_by=request.user)
        except DomainError as exc:
            return refused(request, exc, reverse("pages:payroll"))
        messages.success(request, f"Payroll run for {run.period:%B %Y} created.")
        return redirect("pages:payroll_run", run.pk)
    return render(request, "pages/dealer_payroll.html", {
        "runs": list(selectors.run_list()[:50]), "this_month": dt.date.today().strftime("%Y-%m"),
    })


def _run(pk):
    run = PayrollRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


@dealership_only
@require_perm("payroll.view_payrollrun")
def run_detail(request, run_id: int):
    run = _run(run_id)
    actions = [(name, name.capitalize()) for name, (perm, _, _, states) in ACTIONS.items()
               if run.status in states and request.user.has_perm(perm)]
    books_entry = None
    if request.user.has_perm("books.view_journalentry"):
        books_entry = books.entries_by_key([f"payroll-run:{run.pk}"]).get(f"payroll-run:{run.pk}")
    return render(request, "pages/dealer_payroll_run.html", {
        "run": run, "payslips": list(selectors.payslip_list(user=request.user, run_id=run.pk)), "actions": actions,
        "books_entry": books_entry,
    })


@dealership_only
@require_POST
def run_action(request, run_id: int):
    """Calculate, approve or pay. The form carries a one-time key like every money form; paying needs no key in
    the service: the run's row lock and status make a second submit answer the first payment."""
    back = reverse("pages:payroll_run", args=[run_id])
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Unknown action.")
        return redirect(back)
    perm, service, done, _ = action
    if not request.user.has_perm(perm):
        messages.error(request, "Your role does not allow this step.", extra_tags="not_allowed")
        return redirect(back)
    run = _run(run_id)
    kwargs = {"approve": {"approved_by": request.user}, "pay": {"paid_by": request.user}}.get(
        request.POST["action"], {})
    try:
        run = getattr(services, service)(run=run, **kwargs)
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"Payroll run {run.period:%B %Y} {done}.")
    return redirect(back)


@dealership_only
def my_payslips(request):
    """Any member: their own payslips once issued (HR/accounting see all, as in the API)."""
    return render(request, "pages/dealer_payslips.html",
                  {"payslips": list(selectors.payslip_list(user=request.user)[:100])})


@dealership_only
def payslip_pdf(request, payslip_id: int):
    payslip = selectors.payslip_get(user=request.user, payslip_id=payslip_id)
    if payslip is None:
        raise Http404
    response = HttpResponse(render_pdf(payslip), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="payslip-{payslip.run.period:%Y-%m}-{payslip.pk}.pdf"'
    return response
