"""`dev.py test` and the Citus suite: CI that installed Citus never goes green without it (docs/scaling.md)."""
from __future__ import annotations

import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT))
from tools import cli  # noqa: E402


def test_a_whole_run_fails_at_once_when_citus_is_required_but_missing(monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(cli, "_run_suites", lambda suites, *args, **kwargs: ran.append(suites))
    monkeypatch.setattr(cli, "citus_available", lambda: False)
    monkeypatch.setenv("FORECOURT_REQUIRE_CITUS", "1")
    assert cli.test([]) == 1
    assert ran == []
    assert "FORECOURT_REQUIRE_CITUS=1 but Citus is not usable" in capsys.readouterr().out


def test_without_the_requirement_a_run_without_citus_says_it_skipped_the_suite(monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(cli, "_run_suites", lambda suites, *args, **kwargs: ran.append(suites))
    monkeypatch.setattr(cli, "_env", lambda **kwargs: {})
    monkeypatch.setattr(cli, "citus_available", lambda: False)
    monkeypatch.delenv("FORECOURT_REQUIRE_CITUS", raising=False)
    assert cli.test([]) == 0
    assert ran == [cli.SUITES]  # the suites on the single PostgreSQL only
    assert "Citus suite skipped" in capsys.readouterr().out


def test_a_whole_run_stops_the_citus_cluster_it_ran_on(monkeypatch):
    """The next checkout's run (a CI clone) finds the cluster's ports free; even a failing suite stops it."""
    events = []

    def run_suites(suites, env, extra, *args, **kwargs):
        events.append(("citus suite" if env.get("CITUS") else "suites", extra))
        if env.get("CITUS"):
            raise RuntimeError("the Citus suite broke")

    monkeypatch.setattr(cli, "_run_suites", run_suites)
    monkeypatch.setattr(cli, "_env", lambda citus=False, **kwargs: {"CITUS": "1"} if citus else {})
    monkeypatch.setattr(cli, "citus_available", lambda: True)
    monkeypatch.setattr(cli, "_citus_stop", lambda: events.append(("stopped", None)))
    with pytest.raises(RuntimeError, match="the Citus suite broke"):
        cli.test([])
    assert events == [("suites", []), ("citus suite", cli.CITUS_SUITE), ("stopped", None)]


def test_the_citus_command_keeps_its_cluster_running(monkeypatch):
    """`dev.py test --citus ARGS`, the developer's loop, keeps the cluster for the next call."""
    stopped = []
    monkeypatch.setattr(cli, "_run_suites", lambda *args, **kwargs: None)
    monkeypatch.setattr(cli, "_env", lambda **kwargs: {})
    monkeypatch.setattr(cli, "_citus_stop", lambda: stopped.append(True))
    cli.test(["--citus", "tests/citus"])
    assert stopped == []
