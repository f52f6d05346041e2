"""forecourt_core.phones, the one phone parser, as the wallet uses it (charge sales) and in its own right."""
import pytest

from forecourt_core import phones

LOCAL = "07400 123456"


def region_of_the_request():  # FORECOURT_PHONE_REGION_HOOK in the test below
    return "FR"


def test_a_number_with_its_country_code_needs_no_region(settings):
    settings.FORECOURT_PHONE_REGION = None
    assert phones.normalize_phone("+44 7400 123456") == "+447400123456"


def test_a_local_number_is_refused_without_a_region(settings):
    settings.FORECOURT_PHONE_REGION = None
    with pytest.raises(phones.InvalidPhone):
        phones.normalize_phone(LOCAL)


def test_a_local_number_is_read_in_the_deployments_region(settings):
    settings.FORECOURT_PHONE_REGION = "GB"
    assert phones.normalize_phone(LOCAL) == "+447400123456"


def test_the_hook_answers_before_the_setting(settings):
    settings.FORECOURT_PHONE_REGION = "GB"
    settings.FORECOURT_PHONE_REGION_HOOK = "tests.test_phones.region_of_the_request"
    assert phones.normalize_phone("06 12 34 56 78") == "+33612345678"
    with pytest.raises(phones.InvalidPhone):
        phones.normalize_phone(LOCAL)  # not a French number


@pytest.mark.parametrize("raw", ["", "   ", "not a phone", "+1", "+99912345678", "+44 20 7946 0958" + "9" * 60,
                                 None, 447400123456, ["+447400123456"]])
def test_what_is_not_a_phone_number_is_refused(raw):
    with pytest.raises(phones.InvalidPhone):
        phones.normalize_phone(raw)


@pytest.mark.django_db
def test_a_charge_sale_takes_a_local_number_in_the_deployments_region(settings, make_user):
    from decimal import Decimal

    from django_wallet import services

    settings.FORECOURT_PHONE_REGION = "GB"
    seller = make_user()
    account = services.account_for(seller)
    services.deposit(account=account, amount=Decimal("20.00"))
    sale = services.charge_sale_create(account=account, phone=LOCAL, amount=Decimal("10.00"), sold_by=seller)
    assert sale.phone == "+447400123456"
