"""VINs after ISO 3779: structure always; the check digit only for North American manufacturers (1-5)."""
import pytest

from django_car_listing import errors, services
from django_car_listing.validators import STRUCTURE_MESSAGE, is_valid_vin, normalize_vin, vin_problem


@pytest.mark.parametrize("vin", [
    "WAUZZZ8K9HA012345",   # Audi, Germany: position 9 is free
    "VF1RFB00X55123456",   # Renault, France
    "JTDKB20U793456789",   # Toyota, Japan
    "1M8GDM9AXKP042788",   # North America, check digit X
    "1HGCM82633A004352",   # North America, check digit 3
    "wauzzz8k9ha012345",   # normalised to capitals
])
def test_valid_vins(vin):
    assert is_valid_vin(vin)


@pytest.mark.parametrize("vin", [
    "WAUZZZ8K9HA01234",    # 16 characters
    "WAUZZZ8K9HA0123456",  # 18 characters
    "WAUZZZ8K9HA0I2345",   # I
    "WAUZZZ8K9HAO12345",   # O
    "WAUZZZ8K9HA01234Q",   # Q
    "WAUZZZ8K9H 012345",   # a space
])
def test_structure_is_always_required(vin):
    assert vin_problem(normalize_vin(vin)) == STRUCTURE_MESSAGE


@pytest.mark.parametrize("vin", ["1M8GDM9A1KP042788", "5YJSA1E2XHF000001", "2HGCM82633A004352"])
def test_a_north_american_vin_needs_its_check_digit(vin):
    problem = vin_problem(vin)
    assert problem is not None and "check digit" in problem and "9th character" in problem


@pytest.mark.django_db
def test_the_service_refuses_with_the_reason_and_accepts_a_european_vin(make_user, car_data):
    user = make_user()
    with pytest.raises(errors.InvalidVin) as refused:
        services.car_create(actor=user, **car_data(vin="1M8GDM9A1KP042788"))
    assert "must have 'X' as its 9th character" in refused.value.message
    car = services.car_create(actor=user, **car_data(vin="wauzzz8k9ha012345"))
    assert car.vin == "WAUZZZ8K9HA012345"
