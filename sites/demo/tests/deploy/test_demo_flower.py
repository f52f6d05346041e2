"""The demo's Flower: its port follows DEMO_PORT, it listens on loopback only and asks for basic auth."""
from __future__ import annotations

import base64
import socket
import sys
import time
from pathlib import Path

from .servers import get, python_env, start, stop

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))
from tools.demo import flower  # noqa: E402


def test_flower_port_follows_the_demo_port_unless_set():
    assert "--port=5555" in flower("8000", {})[0]
    assert "--port=5559" in flower("8004", {})[0]
    assert "--port=7000" in flower("8004", {"FLOWER_PORT": "7000"})[0]
    assert flower("8000", {"FLOWER_BASIC_AUTH": "ops:s3cret"})[1]["FLOWER_BASIC_AUTH"] == "ops:s3cret"


def test_demo_flower_answers_only_with_its_password_and_only_on_loopback(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        demo_port = probe.getsockname()[1] - 5555 + 8000  # so that Flower gets the free port just found
    argv, env, url = flower(str(demo_port), python_env(FLOWER_BASIC_AUTH="ops:flower-pass-1"))
    port = int(argv[-1].split("=")[1])
    assert url.startswith(f"http://127.0.0.1:{port}/")
    log = tmp_path / "flower.log"
    process = start(argv, {**env, "DJANGO_SETTINGS_MODULE": "demo.settings.dev"}, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status = get(f"http://127.0.0.1:{port}/healthcheck", "127.0.0.1", timeout=5)[0]
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.3)
        assert status == 200  # the container's health check needs no password
        assert get(f"http://127.0.0.1:{port}/", "127.0.0.1")[0] == 401
        wrong = base64.b64encode(b"ops:guess").decode()
        assert get(f"http://127.0.0.1:{port}/", "127.0.0.1", {"Authorization": f"Basic {wrong}"})[0] == 401
        right = base64.b64encode(b"ops:flower-pass-1").decode()
        assert get(f"http://127.0.0.1:{port}/", "127.0.0.1", {"Authorization": f"Basic {right}"})[0] == 200
        listening = {line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                     if line.split()[3] == "0A"}  # LISTEN sockets, "ADDR:PORT" in hex
        assert f"0100007F:{port:04X}" in listening and f"00000000:{port:04X}" not in listening
    finally:
        stop([process])
