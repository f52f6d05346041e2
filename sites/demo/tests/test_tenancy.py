import pytest
from django.db import connection
from django.test import Client

from tests.conftest import host_client


@pytest.mark.django_db
@pytest.mark.parametrize(("host", "schema"), [("dealer1.localhost", "dealer1"), ("dealer2.localhost", "dealer2"),
                                             ("localhost", "public")])
def test_host_selects_schema(host, schema):
    response = host_client(host).get("/healthz")
    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == schema


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["nowhere.localhost", "testserver", "dealer1.example.com"])
def test_unknown_host_is_404_never_the_marketplace(host):
    assert host_client(host).get("/").status_code == 404


@pytest.mark.django_db
def test_membership_is_per_dealership(dealer1, dealer2, make_user):
    from tenancy.services import membership_grant

    agent = make_user()
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    assert host_client("dealer1.localhost", agent).get("/api/auth/me/").json()["role"] == "sales_agent"
    refused = host_client("dealer2.localhost", agent).get("/api/leads/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_a_member"


@pytest.mark.django_db
def test_anonymous_api_on_dealership_host_is_401_with_error_shape():
    response = host_client("dealer1.localhost").get("/api/leads/")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "Sign in to use this dealership's API."}


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer not-a-jwt", "Bearer \x00"])
def test_malformed_authorization_header_on_dealership_host_is_401_not_500(header):
    """Found by the API fuzzer: a header the JWT class refuses as malformed raised through the middleware."""
    response = Client(HTTP_HOST="dealer1.localhost", HTTP_AUTHORIZATION=header).get("/api/leads/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_platform_admin_creates_dealership_via_api(make_user):
    from tenancy.models import Dealership, Membership

    admin = make_user(is_staff=True)
    owner = make_user()
    client = host_client("localhost", admin)
    response = client.post("/api/dealerships/", {"name": "Third Cars", "slug": "dealer3", "owner": owner.username},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["domain"] == "dealer3.localhost"
    dealership = Dealership.objects.get(slug="dealer3")
    assert Membership.objects.get(dealership=dealership, user=owner).role == "dealer"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'dealer3'")
        assert cursor.fetchone()[0] > 5  # schema created and migrated
    assert host_client("dealer3.localhost", owner).get("/api/auth/me/").json()["role"] == "dealer"
    duplicate = client.post("/api/dealerships/", {"name": "Again", "slug": "dealer3"}, content_type="application/json")
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "dealership_exists"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["public", "Upper", "-x", "a", "x" * 31, "has space"])
def test_dealership_slug_validated(make_user, slug):
    client = host_client("localhost", make_user(is_staff=True))
    response = client.post("/api/dealerships/", {"name": "X", "slug": slug}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_slug"


@pytest.mark.django_db
def test_only_staff_create_dealerships(make_user):
    response = host_client("localhost", make_user()).post("/api/dealerships/", {"name": "X", "slug": "nope"},
                                                          content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_content_types_stay_cached_across_schema_switches(dealer1):
    """tenancy.postgresql_backend keeps the ContentType cache django-tenants clears on each switch:
    contenttypes lives in public only, so every schema sees the same ids."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    ContentType.objects.clear_cache()
    public = ContentType.objects.get_for_model(get_user_model())
    with schema_context("dealer1"), CaptureQueriesContext(connection) as queries:
        assert ContentType.objects.get_for_model(get_user_model()) == public
    assert not [q for q in queries.captured_queries if "django_content_type" in q["sql"]]
    ContentType.objects.clear_cache()
    with schema_context("dealer1"):  # read from the dealership's search_path: the same row
        assert ContentType.objects.get_for_model(get_user_model()).pk == public.pk


@pytest.mark.django_db
def test_public_host_requests_do_not_re_send_the_search_path():
    """django-tenants forgot the connection's search_path on every switch, even to the schema it
    already had, so each public-host request sent ``SET search_path`` again; tenancy.postgresql_backend
    keeps it until the schema really changes."""
    from django.test.utils import CaptureQueriesContext

    def search_path_sets(host, path):
        with CaptureQueriesContext(connection) as queries:
            assert host_client(host).get(path).status_code == 200
        return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SET search_path")]

    search_path_sets("localhost", "/api/ping/")
    assert search_path_sets("localhost", "/api/ping/") == []  # still public: nothing to send
    assert search_path_sets("dealer1.localhost", "/healthz")[-1:] == ['SET search_path = "dealer1","public"']
    assert search_path_sets("localhost", "/api/ping/") == ['SET search_path = "public"']  # switched back
