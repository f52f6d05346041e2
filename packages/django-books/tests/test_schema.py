"""The OpenAPI schema builds from the annotations, without a warning (drf-spectacular need not be installed
as an app): every route is in it and the component names are the books' own."""
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator


def test_openapi_schema_covers_every_endpoint_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
    paths = schema["paths"]
    assert {"/api/books/entries/", "/api/books/entries/{entry_id}/reverse/", "/api/books/periods/close/",
            "/api/books/reports/trial-balance/csv/", "/api/books/sales/{invoice_number}/invoice.pdf"} <= set(paths)
    posted = paths["/api/books/entries/"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert posted["$ref"].endswith("/JournalEntry")
