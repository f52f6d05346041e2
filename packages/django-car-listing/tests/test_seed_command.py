import pytest
from django.core.management import call_command

from django_car_listing import selectors
from django_car_listing.models import ListingIndex


@pytest.mark.django_db
def test_seed_index_command_rows_are_searchable(capsys):
    call_command("car_listing_seed_index", count=505, stores=100, chunk=200)
    assert ListingIndex.objects.count() == 505
    assert ListingIndex.objects.values("store_key").distinct().count() == 101
    assert "505/505" in capsys.readouterr().err
    page = selectors.marketplace_page(filters={"q": "panoramic", "make": "Toyota"}, sort="price", limit=5)
    assert page.count > 0 and all(r.make == "Toyota" for r in page.results)
    call_command("car_listing_seed_index", count=10, no_progress=True)
    assert ListingIndex.objects.count() == 515
