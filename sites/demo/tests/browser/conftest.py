"""Headless Chromium against the real site: uvicorn (ASGI, websockets) and a Celery worker in subprocesses.

Chromium is Debian's package, installed here when missing (as root, with apt-get); the suite is
skipped with the reason only when that is impossible. The server uses the pytest test database
(committed data only: the tests use `committed_db`) and the test Redis db.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

SITE_DIR = Path(__file__).resolve().parents[2]
SCREENSHOTS = SITE_DIR / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PASSWORD = "a-Strong-passw0rd"


def _install_chromium() -> str | None:
    """Return why Chromium is unavailable, or None once /usr/bin/chromium exists."""
    if os.path.exists(CHROMIUM):
        return None
    if not shutil.which("apt-get"):
        return "apt-get is not available to install Debian's chromium"
    if os.geteuid() != 0:
        return "not running as root, so `apt-get install chromium` is impossible; install it and rerun"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)  # noqa: S603
        if done.returncode:
            return f"`{' '.join(cmd)}` failed: {done.stderr.strip()[-500:]}"
    return None if os.path.exists(CHROMIUM) else "apt-get finished but /usr/bin/chromium is missing"


@pytest.fixture(scope="package")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Browser tests SKIPPED: the playwright package is missing (pip install -e 'sites/demo[test]')")
    reason = _install_chromium()
    if reason:
        pytest.skip(f"Browser tests SKIPPED: Chromium cannot be installed: {reason}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the tests are
    # still plain synchronous code, so lift the async-safety guard only while the browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict  # after django_db_setup: NAME is the test database
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    # HOST may be a unix-socket directory (the embedded PostgreSQL): percent-encode it.
    host = quote(s["HOST"] or "127.0.0.1", safe="") + (f":{s['PORT']}" if s["PORT"] else "")
    return f"postgres://{auth}@{host}/{s['NAME']}"


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture(scope="package")
def site_processes(django_db_setup, django_db_blocker, tmp_path_factory):
    """uvicorn on a free port + a Celery worker, both on the test database; stopped before it is dropped."""
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "demo.settings.test", "DATABASE_URL": _database_url(),
           "PYTHONUNBUFFERED": "1", "SITE_URL": f"http://localhost:{port}"}
    logs = tmp_path_factory.mktemp("site-logs")
    server_log = (logs / "uvicorn.log").open("w")
    worker_log = (logs / "worker.log").open("w")
    python = [sys.executable, "-m"]
    server = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [*python, "uvicorn", "demo.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        cwd=SITE_DIR, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [*python, "celery", "-A", "demo.celery", "worker", "-P", "threads", "-c", "2", "-Q", "celery",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=SITE_DIR, env=env, stdout=worker_log, stderr=subprocess.STDOUT)
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/static/site/site.css", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            _stop(server)  # a server that answers nothing may still be running: never leave it behind
            _stop(worker)
            raise RuntimeError(f"uvicorn did not start: {(logs / 'uvicorn.log').read_text()[-2000:]}")
        time.sleep(0.3)
    yield {"port": port, "base": base, "logs": logs}
    _stop(server)
    _stop(worker)
    _wait_for_their_connections_to_close(django_db_blocker)


def _wait_for_their_connections_to_close(django_db_blocker) -> None:
    # PostgreSQL ends a dead client's backend a moment later; dropping the test database needs it gone.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                           " AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)


@pytest.fixture
def site(site_processes, committed_db):
    return site_processes


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def new_page(browser, request):
    """Open pages in fresh contexts (one user each); every page is screenshotted if the test fails."""
    contexts = []

    def make(viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for n, context in enumerate(contexts):
        if failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for m, page in enumerate(context.pages):
                with contextlib.suppress(Exception):  # a screenshot must never hide the real failure
                    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{n}-{m}.png"), full_page=True)
        context.close()


def sign_in(page, base: str, username: str, password: str = PASSWORD, next_path: str = "/"):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()



@pytest.fixture(autouse=True)
def _close_this_context_connection(django_db_blocker):
    """Autouse, so set up before `committed_db` and torn down after its TRUNCATE: with Playwright's
    greenlets the test's connection lives in a context later teardowns cannot see, and a connection
    left open would stop the test database from being dropped."""
    yield
    with django_db_blocker.unblock():
        connection.close()
