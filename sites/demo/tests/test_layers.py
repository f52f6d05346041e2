"""Imports run downwards only. The packages know nothing of the site; the site's own apps (tenancy,
accounts) know nothing of `demo`, the layer on top of them (glue between packages, HTTP plumbing,
pages, realtime, settings)."""
import ast
from pathlib import Path

SITE = Path(__file__).resolve().parents[1]
PACKAGES = SITE.parents[1] / "packages"


def imported_modules(source: str) -> set[str]:
    """Every absolute module an ``import`` or ``from ... import`` names, at any depth of the module."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def upward_imports(files, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{path}: {module}" for path in files for module in imported_modules(path.read_text())
                  if module.split(".")[0] in forbidden)


def _sources(*tops: Path) -> list[Path]:
    return [path for top in tops for path in sorted(top.rglob("*.py")) if "tests" not in path.parts]


def test_tenancy_and_accounts_never_import_demo():
    assert upward_imports(_sources(SITE / "tenancy", SITE / "accounts"), ("demo",)) == []


def test_packages_never_import_the_site():
    sources = _sources(*(package / "src" for package in PACKAGES.iterdir() if (package / "src").is_dir()))
    assert sources
    assert upward_imports(sources, ("demo", "tenancy", "accounts")) == []


def test_the_check_sees_imports_inside_functions():
    source = "import os\ndef f():\n    from demo.glue import wiring\n    import tenancy.models\n"
    assert imported_modules(source) == {"os", "demo.glue", "tenancy.models"}


def test_no_two_apps_define_a_model_of_the_same_name():
    from collections import defaultdict

    from django.apps import apps

    labels = defaultdict(set)
    for model in apps.get_models():
        if not model._meta.auto_created and model.__module__.split(".")[0] in _project_modules():
            labels[model.__name__].add(model._meta.app_label)
    shared = {name: owners for name, owners in labels.items() if len(owners) > 1}
    assert shared == {}


def _project_modules() -> set[str]:
    packages = {path.name for package in PACKAGES.iterdir() for path in (package / "src").glob("*")
                if path.is_dir() and (path / "__init__.py").exists()}
    return packages | {"tenancy", "accounts", "demo"}
