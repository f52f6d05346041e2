"""Each package's sdist (what `pip install <sdist>` and downstream packagers get): every source file,
migration, template, static file and test, the README, CHANGELOG and LICENSE, nothing else, and the
same metadata as its wheel (which conftest built from this very sdist)."""
from __future__ import annotations

import tarfile
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest
from conftest import NAMES, PACKAGES, SPECS

PROJECT_FILES = {"pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE"}
GENERATED = {"PKG-INFO", ".gitignore"}  # hatchling writes PKG-INFO and always adds the repo's .gitignore
SAME_FIELDS = ["Name", "Version", "Summary", "Requires-Python", "License-Expression", "License-File",
               "Requires-Dist", "Provides-Extra", "Classifier", "Description-Content-Type"]


def files_under(root: Path, *folders: str) -> set[str]:
    """Files a build should ship: everything but bytecode and tool caches (which .gitignore excludes)."""
    out = set()
    for folder in folders:
        for path in (root / folder).rglob("*"):
            rel = path.relative_to(root)
            if path.is_file() and path.suffix != ".pyc" and not {"__pycache__", ".pytest_cache"} & set(rel.parts):
                out.add(rel.as_posix())
    return out


def sdist_files(sdist: Path) -> tuple[set[str], Message]:
    """({path inside the sdist's top folder}, PKG-INFO)."""
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        tops = {m.name.split("/", 1)[0] for m in members}
        assert tops == {sdist.name.removesuffix(".tar.gz")}, tops
        pkg_info = tar.extractfile(f"{tops.pop()}/PKG-INFO").read().decode()
    return {m.name.split("/", 1)[1] for m in members}, Parser().parsestr(pkg_info)


def wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as whl:
        name = next(f for f in whl.namelist() if f.endswith(".dist-info/METADATA"))
        return Parser().parsestr(whl.read(name).decode())


@pytest.mark.parametrize("name", NAMES)
def test_sdist_ships_sources_tests_and_docs_only(name, sdists):
    root = PACKAGES / name
    module = SPECS[name][0]
    files, _ = sdist_files(sdists[name])
    expected = files_under(root, f"src/{module}", "tests") | PROJECT_FILES
    assert f"src/{module}/py.typed" in expected and f"src/{module}/migrations/0001_initial.py" in expected
    missing = expected - files
    assert not missing, f"not in the sdist: {sorted(missing)}"
    extra = files - expected - GENERATED
    assert not extra, f"unexpected in the sdist: {sorted(extra)}"
    for kind in ("templates", "static"):
        if (root / "src" / module / kind).is_dir():
            assert any(f.startswith(f"src/{module}/{kind}/") for f in files), kind


@pytest.mark.parametrize("name", NAMES)
def test_sdist_metadata_matches_the_wheel(name, sdists, wheels):
    _, pkg_info = sdist_files(sdists[name])
    wheel = wheel_metadata(wheels[name])
    for field in SAME_FIELDS:
        assert pkg_info.get_all(field) == wheel.get_all(field), field
    assert pkg_info.get_payload().strip() == (PACKAGES / name / "README.md").read_text().strip()
