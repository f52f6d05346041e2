from django_tenants.utils import schema_context

from demo.celery import app


def test_task_sent_under_a_dealership_runs_in_its_schema(celery_worker):
    from tenancy.tasks import current_schema

    with schema_context("dealer1"):
        from_dealer1 = current_schema.delay()
    with schema_context("dealer2"):
        from_dealer2 = current_schema.delay()
    from_public = current_schema.delay()
    assert from_dealer1.get(timeout=30) == "dealer1"
    assert from_dealer2.get(timeout=30) == "dealer2"
    assert from_public.get(timeout=30) == "public"


def test_beat_schedule_names_registered_tasks():
    from django.conf import settings

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
        for arg in entry.get("args", []):
            assert arg in app.tasks, arg
