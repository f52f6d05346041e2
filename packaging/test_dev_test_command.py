"""`dev.py test` and the Citus suite: CI that installed Citus never goes green without it (docs/scaling.md)."""
from __future__ import annotations

import sys

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
