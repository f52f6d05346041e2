"""Page forms: they only validate input shapes; every write goes through a package service."""
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model

from django_car_listing.models import BodyType, Fuel, SaleType, Transmission

MONEY = {"max_digits": 18, "decimal_places": 2, "min_value": Decimal("0.01")}


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
    price_min = forms.DecimalField(required=False, max_digits=18, decimal_places=2, min_value=0, label="Price from")
    price_max = forms.DecimalField(required=False, max_digits=18, decimal_places=2, min_value=0, label="Price to")
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
    price = forms.DecimalField(**MONEY)
    mileage = forms.IntegerField(min_value=0, initial=0)
    vin = forms.CharField(max_length=17, label="VIN", help_text="17 characters, no I, O or Q.")
    body_type = forms.ChoiceField(choices=BodyType.choices, initial=BodyType.SEDAN)
    fuel = forms.ChoiceField(choices=Fuel.choices, initial=Fuel.PETROL)
    transmission = forms.ChoiceField(choices=Transmission.choices, initial=Transmission.MANUAL)
    colour = forms.CharField(max_length=32, required=False)
    sale_type = forms.ChoiceField(choices=SaleType.choices, initial=SaleType.FIXED)
    location = forms.CharField(max_length=128, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(ImagesField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CarImagesForm(forms.Form):
    images = ImagesField(required=False, label="Photos", help_text="JPEG, PNG or WebP.")


class PriceForm(forms.Form):
    price = forms.DecimalField(required=False, **MONEY)


class TransferForm(forms.Form):
    to_username = forms.CharField(max_length=150, label="Recipient username")
    amount = forms.DecimalField(**MONEY)
    memo = forms.CharField(max_length=255, required=False)


class StatementFilterForm(forms.Form):
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))


class CreditRequestForm(forms.Form):
    amount = forms.DecimalField(**MONEY)
    note = forms.CharField(max_length=255, required=False)


class ChargeSaleForm(forms.Form):
    phone = forms.CharField(max_length=32, label="Customer phone",
                            help_text="International format, e.g. +44 20 7946 0958.")
    amount = forms.DecimalField(**MONEY)


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=500)


class DealershipForm(forms.Form):
    name = forms.CharField(max_length=100)
    slug = forms.SlugField(max_length=30, help_text="Lowercase letters, digits and dashes; becomes the subdomain.")
    owner_username = forms.CharField(max_length=150, required=False, label="Owner username (made dealer)")
