"""The OpenAPI schema of the package builds without warnings (drf-spectacular, not in INSTALLED_APPS)."""


def test_schema_generates_every_path():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = set(schema["paths"])
    assert {"/api/trading/users/", "/api/trading/users/{username}/", "/api/trading/stocks/",
            "/api/trading/stocks/{ticker}/", "/api/trading/transactions/", "/api/trading/transactions/{user_id}/",
            "/api/trading/transactions/{user_id}/{start}/{end}/", "/api/trading/orders/", "/api/trading/orders/{id}/",
            "/api/trading/orders/{id}/cancel/"} <= paths
    assert not GENERATOR_STATS._warn_cache, GENERATOR_STATS._warn_cache
