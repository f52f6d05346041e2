import pytest


@pytest.mark.django_db
def test_openapi_schema_generates_with_examples(capsys):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/wallet/transfers/" in paths and "/api/wallet/accounts/{id}/statement.csv" in paths
    post = paths["/api/wallet/transfers/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "examples" in post["requestBody"]["content"]["application/json"]
    # Enum names are the site's ENUM_NAME_OVERRIDES business; anything else (e.g. colliding components) fails.
    warnings = [w for w in capsys.readouterr().err.splitlines() if "Warning" in w and "enum naming" not in w]
    assert warnings == []
    # drf-spectacular names a page of WalletX "PaginatedWalletXList"
    names = [n.removeprefix("Paginated") for n in schema["components"]["schemas"] if not n.endswith("Enum")]
    assert all(n.startswith("Wallet") for n in names), names
