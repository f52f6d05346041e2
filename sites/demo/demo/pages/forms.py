"""Page forms: they only validate input shapes; every write goes through a package service."""
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model

from django_car_listing.models import BodyType, Fuel, SaleType, Transmission
from django_car_listing.services.images import validate_image
from django_car_listing.validators import normalize_vin, vin_problem
from django_payroll.models import ComponentKind, Employee
from forecourt_core.errors import DomainError, InvalidInput
from forecourt_core.forms import AmountField


class SignupForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"}))
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="At least 10 characters, not only digits, not a common password.")

    def clean_username(self):
        name = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("This username is taken.")
        return name


def _choices(enum, blank="Any"):
    return [("", blank), *enum.choices]


SORT_CHOICES = [("featured", "Featured first"), ("newest", "Newest"), ("price", "Price: low to high"),
                ("-price", "Price: high to low")]


class SearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    make = forms.CharField(required=False, max_length=64)
    model = forms.CharField(required=False, max_length=64)
    year_min = forms.IntegerField(required=False, min_value=1900, max_value=2100, label="Year from")
    year_max = forms.IntegerField(required=False, min_value=1900, max_value=2100, label="Year to")
    price_min = AmountField(required=False, allow_zero=True, label="Price from")
    price_max = AmountField(required=False, allow_zero=True, label="Price to")
    body_type = forms.ChoiceField(required=False, choices=_choices(BodyType), label="Body")
    fuel = forms.ChoiceField(required=False, choices=_choices(Fuel))
    transmission = forms.ChoiceField(required=False, choices=_choices(Transmission))
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)

    def filters(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "sort" and v not in (None, "")}
        return data


class CarForm(forms.Form):
    make = forms.CharField(max_length=64)
    model = forms.CharField(max_length=64)
    year = forms.IntegerField(min_value=1900, max_value=2100)
    price = AmountField()
    mileage = forms.IntegerField(min_value=0, initial=0)
    vin = forms.CharField(max_length=32, label="VIN",
                          help_text="17 characters, no I, O or Q (the 9th is a check digit on North American cars).")
    body_type = forms.ChoiceField(choices=BodyType.choices, initial=BodyType.SEDAN)
    fuel = forms.ChoiceField(choices=Fuel.choices, initial=Fuel.PETROL)
    transmission = forms.ChoiceField(choices=Transmission.choices, initial=Transmission.MANUAL)
    colour = forms.CharField(max_length=32, required=False)
    sale_type = forms.ChoiceField(choices=SaleType.choices, initial=SaleType.FIXED)
    location = forms.CharField(max_length=128, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean_vin(self):
        vin = normalize_vin(self.cleaned_data["vin"])
        if problem := vin_problem(vin):
            raise forms.ValidationError(problem, code="invalid_vin")
        return vin


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Several photos, each checked with car-listing's own image rules, so a bad file is reported at
    this field together with every other error of the form."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        uploads = [d for d in data if d] if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned, problems = [], []
        for upload in uploads:
            upload = super().clean(upload, initial)
            try:
                validate_image(upload.read())
            except DomainError as exc:
                problems.append(f"{upload.name}: {exc.message}")
            else:
                cleaned.append(upload)
            finally:
                upload.seek(0)
        if problems:
            raise forms.ValidationError(problems)
        return cleaned


class CarImagesForm(forms.Form):
    images = ImagesField(required=False, label="Photos", help_text="JPEG, PNG or WebP.")


class PriceForm(forms.Form):
    price = AmountField(required=False)


class TransferForm(forms.Form):
    to_username = forms.CharField(max_length=150, label="Recipient username")
    amount = AmountField()
    memo = forms.CharField(max_length=255, required=False)


class MemberPayoutForm(forms.Form):
    member = forms.ChoiceField(label="Member")
    amount = AmountField()
    memo = forms.CharField(max_length=255, required=False, label="What for")

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.user.pk, m.user.username) for m in members]


class StatementFilterForm(forms.Form):
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))


class CreditRequestForm(forms.Form):
    amount = AmountField()
    note = forms.CharField(max_length=255, required=False)


class ChargeSaleForm(forms.Form):
    phone = forms.CharField(max_length=32, label="Customer phone",
                            help_text="International format, e.g. +44 20 7946 0958.")
    amount = AmountField()


class AmountForm(forms.Form):
    """The amount of a page that checks its other inputs itself (a journal entry, a vehicle cost, a trading move)."""

    amount = AmountField()


class LimitPriceForm(forms.Form):
    limit_price = AmountField(required=False)


class AgreedPriceForm(forms.Form):
    agreed_price = AmountField(required=False)


class CommissionRuleValueForm(forms.Form):
    """A commission rule's value: a percent (up to 4 places) for a percent rule, else an amount of money."""

    value = AmountField()

    def __init__(self, *args, percent: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if percent:  # ASCII digits as for amounts (a Decimal would read other scripts' digits)
            self.fields["value"] = forms.RegexField(regex=r"^[0-9]{1,3}(\.[0-9]{1,4})?$", error_messages={
                "invalid": "Enter a percent such as 2.5: the digits 0-9, at most four decimal places."})

    def clean_value(self):
        return Decimal(self.cleaned_data["value"])


def cleaned_or_refused(form: forms.Form) -> dict:
    """The form's cleaned data, or its first field error raised as a refusal, for pages that flash refusals."""
    if form.is_valid():
        return form.cleaned_data
    error = next(iter(form.errors.as_data().values()))[0]
    raise InvalidInput(error.messages[0], code=error.code or "invalid")


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=500)


class DealershipForm(forms.Form):
    name = forms.CharField(max_length=100)
    slug = forms.SlugField(max_length=30, help_text="Lowercase letters, digits and dashes; becomes the subdomain.")
    owner_username = forms.CharField(max_length=150, required=False, label="Owner username (made dealer)")


# --- payroll HR: the same rules as django_payroll.api.hr's serializers -----------------------------


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class EmployeeForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    username = forms.CharField(max_length=150, required=False, label="Platform user (username)",
                               help_text="Optional: links the employee to a marketplace account (wallet payouts).")
    email = forms.EmailField(required=False)
    position = forms.CharField(max_length=150, required=False)
    department = forms.CharField(max_length=150, required=False)
    employment_type = forms.ChoiceField(choices=())
    hire_date = forms.DateField(widget=_date_input())
    payout_target = forms.ChoiceField(choices=(), label="Pay to")
    bank_account = forms.CharField(max_length=64, required=False, help_text="Required when paid to a bank.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employment_type"].choices = Employee.EmploymentType.choices
        self.fields["employment_type"].initial = Employee.EmploymentType.FULL_TIME
        self.fields["payout_target"].choices = Employee.PayoutTarget.choices
        self.fields["payout_target"].initial = Employee.PayoutTarget.WALLET

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if not name:
            return None
        user = get_user_model().objects.filter(username__iexact=name).first()
        if user is None:
            raise forms.ValidationError("No user with this username.")
        return user

    def service_fields(self) -> dict:
        """cleaned_data in the service's vocabulary (username -> user)."""
        data = dict(self.cleaned_data)
        data["user"] = data.pop("username")
        return data

    @classmethod
    def initial_for(cls, employee) -> dict:
        initial = {name: getattr(employee, name) for name in cls.base_fields if name != "username"}
        initial["username"] = employee.user.username if employee.user_id else ""
        return initial


class EmployeeEditForm(EmployeeForm):
    status = forms.ChoiceField(choices=())
    termination_date = forms.DateField(required=False, widget=_date_input(),
                                       help_text="Needed when the status is Terminated.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = Employee.Status.choices


class SalaryForm(forms.Form):
    effective_from = forms.DateField(widget=_date_input(), label="Effective from")
    base_salary = AmountField(allow_zero=True, label="Monthly base salary")
    include_commission = forms.BooleanField(required=False, initial=True, label="Add sales commission")
    note = forms.CharField(max_length=255, required=False)


class ComponentForm(forms.Form):
    """One allowance or deduction; a row left blank is ignored."""

    name = forms.CharField(max_length=100, required=False)
    kind = forms.ChoiceField(choices=(), required=False)
    # The service refuses a zero component (money() without allow_zero), so the form does too.
    amount = AmountField(required=False)
    prorate = forms.BooleanField(required=False, initial=True, label="Prorate for partial months")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ComponentKind.choices

    def clean(self):
        data = super().clean()
        name, amount = data.get("name"), data.get("amount")
        if not name and amount is None and not self.has_error("amount"):
            data["blank"] = True
            return data
        if not name:
            self.add_error("name", "A component needs a name.")
        if amount is None and not self.has_error("amount"):
            self.add_error("amount", "A component needs an amount.")
        if not data.get("kind"):
            self.add_error("kind", "Choose earning or deduction.")
        return data

    def component(self) -> dict | None:
        if self.cleaned_data.get("blank") or not self.cleaned_data.get("name"):
            return None  # left blank (an untouched extra row has no cleaned_data at all)
        return {k: self.cleaned_data[k] for k in ("name", "kind", "amount", "prorate")}


ComponentFormSet = forms.formset_factory(ComponentForm, extra=3, max_num=10, validate_max=True)
