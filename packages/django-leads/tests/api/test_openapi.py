"""The API documents itself with drf-spectacular without errors or warnings."""
import pytest
from drf_spectacular import plumbing
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings

# Two "status" choice sets: name them (a site does the same in its SPECTACULAR_SETTINGS).
ENUMS = {"ENUM_NAME_OVERRIDES": {
    "LeadStatusEnum": "django_leads.models.LeadStatus",
    "CommissionStatusEnum": "django_leads.models.Commission.Status",
}}


@pytest.mark.django_db
def test_schema_generates_without_warnings():
    GENERATOR_STATS.reset()
    plumbing._load_enum_name_overrides.cache_clear()
    with patched_settings(ENUMS):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    plumbing._load_enum_name_overrides.cache_clear()
    assert "patch" in schema["paths"]["/api/leads/{id}/update_status/"]
    assert "post" in schema["paths"]["/api/leads/commissions/{id}/payout/"]
    assert not GENERATOR_STATS, "drf-spectacular warned (see captured stderr)"
