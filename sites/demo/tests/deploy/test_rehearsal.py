"""Deploy rehearsal: docker-compose.yml's services, run as Compose would on a fresh database, serve for real.

The `stack` fixture (conftest.py) builds the image's steps, runs `migrate` twice, then `web` (uvicorn with
workers), `worker` and `beat` with production settings. Here an operator's first hour: the base host
answers, the admin renders, a platform admin creates a dealership through the API, it serves on its own
host, and a purchase there ends with an e-mail the worker sent.
"""
from __future__ import annotations

import time

from .compose_stack import local_command
from .conftest import ADMIN
from .flows import mails_about, purchase
from .servers import call, get


def test_migrate_service_bootstraps_the_base_host_and_the_first_admin_once(stack):
    first, second = (run.stdout for run in stack.migrate_runs)
    assert "public tenant serves localhost" in first and f"platform admin {ADMIN['username']} created" in first
    assert f"platform admin {ADMIN['username']} exists; left unchanged" in second


def test_base_host_is_healthy_and_the_admin_sign_in_renders(stack):
    status, body, _ = get(stack.url("/healthz"), "localhost")
    assert status == 200 and b'"database": "ok"' in body and b"ok (1 workers)" in body, body
    status, body, _ = get(stack.url("/admin/login/"), "localhost")
    assert status == 200 and b'name="username"' in body and b'name="password"' in body
    # production settings: hashed static files from the image's collectstatic, served by WhiteNoise
    assert b"/static/admin/css/base." in body and b"/static/admin/css/base.css" not in body
    stylesheet = body.split(b"/static/admin/css/base.", 1)[1].split(b'"', 1)[0]
    assert get(stack.url(f"/static/admin/css/base.{stylesheet.decode()}"), "localhost")[0] == 200


def test_a_dealership_created_through_the_api_serves_and_a_purchase_is_mailed_by_the_worker(stack):
    bought = purchase(stack, "rehearsal", 1)
    assert bought.status == 201, bought.body
    # the new dealership's own host serves its members (the admin owns it)
    assert call("GET", stack.url("/api/cars/"), bought.host, token=stack.admin_token())[0] == 200
    mails = mails_about(stack, bought.model)
    assert any("Subject:" in mail for mail in mails)
    # The web processes never send mail themselves: the worker did, and logged the task that did it.
    assert "succeeded" in stack.logs["worker"].read_text()
    assert "Subject:" not in stack.logs["web"].read_text()


def test_rehearsal_runs_the_compose_file_commands(stack):
    """No second copy of the commands: what ran is the file's, changed only in where it listens."""
    services = stack.config["services"]
    web = local_command(services["web"], stack.port)
    assert web[:2] == ["uvicorn", "demo.asgi:application"] and web[web.index("--workers") + 1] == "2"
    assert [a for a in web if a not in {"127.0.0.1", str(stack.port)}] == \
        [a for a in services["web"]["command"] if a not in {"0.0.0.0", "8000"}]  # noqa: S104 - the file's value
    assert local_command(services["worker"]) == services["worker"]["command"]
    assert local_command(services["beat"]) == services["beat"]["command"]
    assert services["web"]["environment"]["DJANGO_SETTINGS_MODULE"] == "demo.settings.production"


def test_beat_keeps_its_schedule_in_redis_and_a_second_beat_waits_for_the_lock(stack, tmp_path):
    import redis
    from django.conf import settings

    from .compose_stack import rehearsal_env
    from .servers import start, stop

    client = redis.Redis.from_url(stack.redis_url)
    deadline = time.monotonic() + 30
    while not client.exists("redbeat::lock"):
        assert time.monotonic() < deadline, stack.logs["beat"].read_text()[-3000:]
        time.sleep(0.3)
    scheduled = {key.decode().removeprefix("redbeat:") for key in client.zrange("redbeat::schedule", 0, -1)}
    assert scheduled == set(settings.CELERY_BEAT_SCHEDULE)
    holder = client.get("redbeat::lock")
    service = stack.config["services"]["beat"]
    log = tmp_path / "second-beat.log"
    second = start(service["command"], rehearsal_env("beat", service, database_url=stack.database_url,
                                                     redis_url=stack.redis_url, folders=stack.folders), log)
    try:
        time.sleep(5)
        assert second.poll() is None, log.read_text()[-3000:]  # waiting, not crashed
        assert client.get("redbeat::lock") == holder  # the first beat still holds it
        assert {k.decode().removeprefix("redbeat:") for k in client.zrange("redbeat::schedule", 0, -1)} == scheduled
    finally:
        stop([second])
