"""The OpenAPI schema builds from the annotations (drf-spectacular need not be an installed app)."""
from drf_spectacular.generators import SchemaGenerator


def test_openapi_schema_covers_every_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/payroll/runs/{id}/pay/" in paths and "/api/hr/employees/" in paths
    assert not any(path.startswith("/api/accounting/") for path in paths)  # the books are django-books
    created = paths["/api/payroll/runs/"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["$ref"].endswith("/RunOutput")
