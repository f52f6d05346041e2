"""The Django admin lists, on each host, the models its schema holds, and never "not available"."""
import pytest

from tests.conftest import host_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


def test_the_marketplace_admin_shows_the_shared_models(root):
    page = host_client("localhost", root).get("/admin/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Not available" not in html
    for url in ("/admin/wallet/", "/admin/trading/", "/admin/notifications/", "/admin/car_listing/",
                "/admin/tenancy/membership/"):
        assert f'href="{url}' in html, url
    assert "/admin/leads/" not in html and "/admin/payroll/" not in html


def test_a_dealership_admin_shows_its_own_models(root):
    client = host_client("dealer1.localhost", root)
    html = client.get("/admin/").content.decode()
    assert "Not available" not in html
    for url in ("/admin/leads/", "/admin/payroll/", "/admin/car_listing/"):
        assert f'href="{url}' in html, url
    assert "/admin/wallet/" not in html and "/admin/tenancy/" not in html
    assert client.get("/admin/leads/lead/").status_code == 200
    assert client.get("/admin/wallet/account/").status_code == 404


def test_every_listed_changelist_opens(root):
    """Each model the index links to answers 200 on its host (no query against a missing table)."""
    import re

    for host in ("localhost", "dealer1.localhost"):
        client = host_client(host, root)
        links = set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', client.get("/admin/").content.decode()))
        assert links
        for link in sorted(links):
            assert client.get(link).status_code == 200, (host, link)
    assert host_client("localhost", root).get("/admin/payroll/employee/").status_code == 404
