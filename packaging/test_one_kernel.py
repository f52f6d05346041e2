"""One kernel: each plumbing job has exactly one implementation, ``forecourt_core``'s.

Reads the sources of every package (``packages/*/src``, the kernel excepted) and of the site
(``sites/demo``, its tests excepted) as Python syntax trees and fails on a local copy of the kernel's
plumbing: a DRF exception handler, a pagination class, an error base class (a DRF exception, or an
``Exception`` carrying its own code or status), an error redeclaring a code the kernel declares, a
generation cache, an on-commit signal helper, a settings or hook resolver, a money pattern or check
(the places, the 10**16 limit), or a parser of the ``Idempotency-Key`` header. It also checks that every
package's tests and the site render errors through the kernel's handler and page through its pagination.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "packages"
KERNEL = PACKAGES / "django-forecourt-core"
SITE = ROOT / "sites" / "demo"
SKIPPED_DIRS = {"tests", "migrations", "__pycache__", ".venv", "node_modules", "var", "build", "dist"}
KERNEL_HANDLER = "forecourt_core.drf.exception_handler"
KERNEL_PAGINATION = "forecourt_core.drf.Pagination"
GENERIC_ERRORS = {"DomainError", "InvalidInput", "NotFound", "NotPermitted", "Conflict"}
ERROR_ATTRIBUTES = {"code", "default_code", "status", "status_code", "default_detail"}
SIGNAL_SENDS = {"send", "send_robust"}
# A money amount written as a pattern: digits, a decimal point and a bounded number of places.
MONEY_PATTERN = re.compile(r"(\\d|\[0-9\]).*\\\..*(\\d|\[0-9\])\{[0-9,]*2\}")
IDEMPOTENCY_HEADERS = {"idempotency-key", "http_idempotency_key"}


def _kernel_codes() -> set[str]:
    """The codes of the kernel's errors of one meaning (not its generic bases' ``not_found``, ``conflict``...)."""
    tree = ast.parse((KERNEL / "src" / "forecourt_core" / "errors.py").read_text())
    return {code for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and node.name not in GENERIC_ERRORS
            for code in _class_constants(node, "code")}


def components() -> dict[str, Path]:
    """{name: source folder} for every package but the kernel, and the site."""
    found = {p.name: p / "src" for p in sorted(PACKAGES.iterdir()) if (p / "src").is_dir() and p != KERNEL}
    found["site"] = SITE
    return found


def sources(top: Path) -> Iterator[Path]:
    for path in sorted(top.rglob("*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(top).parts):
            yield path


# --- small AST helpers ---------------------------------------------------------------------------------

def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain (``""`` for anything else)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else node.attr
    return ""


def _imports(tree: ast.AST) -> dict[str, str]:
    """{local name: fully dotted origin} of a module's imports."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name.split(".")[0]] = alias.asname and alias.name or alias.name.split(".")[0]
    return found


def _origin(node: ast.AST, imports: dict[str, str]) -> str:
    """Where a referenced name comes from: ``rest_framework.exceptions.APIException`` for
    ``exceptions.APIException`` after ``from rest_framework import exceptions``."""
    dotted = _dotted(node)
    head, _, rest = dotted.partition(".")
    origin = imports.get(head, head)
    return f"{origin}.{rest}" if rest else origin


def _class_constants(node: ast.ClassDef, name: str) -> list[str]:
    return [stmt.value.value for stmt in node.body
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
            and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)]


def _assigned_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for stmt in node.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, fully dotted origin) of every ``from x import y``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    return (n for n in ast.walk(node) if isinstance(n, ast.Call))


def _called_name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else _dotted(call.func)


def _functions(tree: ast.AST) -> dict[str, ast.AST]:
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _words(node: ast.AST) -> Iterator[str]:
    """Every identifier and string in ``node``."""
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            yield n.id
        elif isinstance(n, ast.Attribute):
            yield n.attr
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield n.value
        elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield n.name


def _settings_values(tree: ast.AST, key: str) -> Iterator[tuple[int, object]]:
    """Values given to ``key`` in dict literals (``{"EXCEPTION_HANDLER": ...}``) and item assignments."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == key:
                    yield node.lineno, v.value if isinstance(v, ast.Constant) else ast.unparse(v)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            index = node.targets[0].slice
            if isinstance(index, ast.Constant) and index.value == key:
                yield node.lineno, node.value.value if isinstance(node.value, ast.Constant) else ast.unparse(node.value)


# --- the checks: each yields (line, what) for one module ----------------------------------------------

def exception_handlers(tree, imports) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and "exception_handler" in node.name:
            yield node.lineno, f"defines an exception handler {node.name}()"
    for line, origin in _imported(tree):
        if origin == "rest_framework.views.exception_handler":
            yield line, "imports DRF's exception_handler to build its own"
    for line, value in _settings_values(tree, "EXCEPTION_HANDLER"):
        if value != KERNEL_HANDLER:
            yield line, f"EXCEPTION_HANDLER is {value!r}, not {KERNEL_HANDLER!r}"


def pagination_classes(tree, imports) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                if _dotted(base).endswith("Pagination") or _origin(base, imports).startswith("rest_framework.pagination"):
                    yield node.lineno, f"defines a pagination class {node.name}({_dotted(base)})"
    for line, origin in _imported(tree):
        if origin.startswith("rest_framework.pagination"):
            yield line, f"imports {origin} (the kernel's Pagination is the one pagination)"
    for line, value in _settings_values(tree, "DEFAULT_PAGINATION_CLASS"):
        if value != KERNEL_PAGINATION:
            yield line, f"DEFAULT_PAGINATION_CLASS is {value!r}, not {KERNEL_PAGINATION!r}"


def error_bases(tree, imports) -> Iterator[tuple[int, str]]:
    kernel_codes = _kernel_codes()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        origins = [_origin(base, imports) for base in node.bases]
        if any(o.startswith("rest_framework.exceptions") for o in origins):
            yield node.lineno, f"{node.name} is a DRF exception (domain errors subclass forecourt_core.errors)"
        elif any(o in {"Exception", "BaseException"} for o in origins) and _assigned_names(node) & ERROR_ATTRIBUTES:
            yield node.lineno, f"{node.name} is an error base of its own (subclass forecourt_core.errors.DomainError)"
        for code in _class_constants(node, "code"):
            if code in kernel_codes:
                yield node.lineno, f"{node.name} redeclares the kernel's code {code!r} (raise the kernel's class)"


def generation_caches(tree, imports) -> Iterator[tuple[int, str]]:
    for name, func in _functions(tree).items():
        if any(_called_name(c) == "incr" for c in _calls(func)) \
                and any("generation" in word.lower() or word == "time_ns" for word in _words(func)):
            yield func.lineno, f"{name}() bumps a cache generation (use forecourt_core.cache.GenerationCache)"


def on_commit_helpers(tree, imports) -> Iterator[tuple[int, str]]:
    functions = _functions(tree)

    def sends_signal(node, depth=2) -> bool:
        """Whether ``node`` (a callable's name, a lambda) sends a signal, itself or through a function of
        this module that it calls."""
        if isinstance(node, ast.Name):
            return node.id in functions and sends_signal(functions[node.id], depth)
        calls = list(_calls(node))
        return any(_called_name(c) in SIGNAL_SENDS for c in calls) or depth > 0 and any(
            isinstance(c.func, ast.Name) and sends_signal(c.func, depth - 1) for c in calls)

    for name, func in functions.items():
        if name == "send_on_commit":
            yield func.lineno, "defines send_on_commit() (use forecourt_core.signals.send_on_commit)"
    for call in _calls(tree):
        if _called_name(call) == "on_commit" and call.args and sends_signal(call.args[0]):
            yield call.lineno, "sends a signal from on_commit inline (use forecourt_core.signals.send_on_commit)"


def settings_resolvers(tree, imports) -> Iterator[tuple[int, str]]:
    for line, origin in _imported(tree):
        if origin == "django.utils.module_loading.import_string":
            yield line, "imports import_string to resolve hooks (use forecourt_core.conf.PackageSettings.hook)"
    for call in _calls(tree):
        if _dotted(call.func) == "getattr" and len(call.args) >= 2 and _dotted(call.args[0]) == "settings" \
                and not isinstance(call.args[1], ast.Constant):
            yield call.lineno, "reads settings by a computed name (use forecourt_core.conf.PackageSettings.get)"


def money_rules(tree, imports) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and MONEY_PATTERN.search(node.value):
            yield node.lineno, f"a money pattern {node.value!r} (use forecourt_core.amounts)"
        elif isinstance(node, ast.Call) and _called_name(node) == "compile" and node.args \
                and _dotted(node.args[0]).endswith("AMOUNT_PATTERN"):
            yield node.lineno, "compiles AMOUNT_PATTERN again (use forecourt_core.amounts.parse_amount)"
        elif isinstance(node, ast.Compare) and len(node.comparators) == 1:
            sides = [node.left, node.comparators[0]]
            for side, other in (sides, sides[::-1]):
                if isinstance(side, ast.Call) and _called_name(side) == "quantize" \
                        and isinstance(side.func, ast.Attribute) and ast.dump(side.func.value) == ast.dump(other):
                    yield node.lineno, "checks an amount's places itself (use forecourt_core.amounts.validate_amount)"
                    break
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) \
                and node.right.value == 16:
            yield node.lineno, "states the amount limit 10**16 again (forecourt_core.amounts.MAX_AMOUNT)"


def idempotency_parsers(tree, imports) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        keys = []
        if isinstance(node, ast.Call) and _called_name(node) == "get" and node.args:
            keys = [node.args[0]]
        elif isinstance(node, ast.Subscript):
            keys = [node.slice]
        if any(isinstance(k, ast.Constant) and str(k.value).lower() in IDEMPOTENCY_HEADERS for k in keys):
            yield node.lineno, "reads the Idempotency-Key header itself (use forecourt_core.idempotency)"


def _returns_false(func: ast.AST) -> bool:
    return [type(s) for s in func.body if not isinstance(s, ast.Expr)] == [ast.Return] and isinstance(
        func.body[-1].value, ast.Constant) and func.body[-1].value.value is False


def read_only_admins(tree, imports) -> Iterator[tuple[int, str]]:
    refused = {"has_add_permission", "has_change_permission", "has_delete_permission"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and refused <= {
                f.name for f in node.body if isinstance(f, ast.FunctionDef) and _returns_false(f)}:
            yield node.lineno, f"{node.name} refuses add, change and delete itself (use forecourt_core.admin.ReadOnlyAdmin)"


CHECKS: dict[str, Callable] = {
    "exception handler": exception_handlers,
    "pagination": pagination_classes,
    "error base": error_bases,
    "generation cache": generation_caches,
    "on-commit helper": on_commit_helpers,
    "settings resolver": settings_resolvers,
    "money rule": money_rules,
    "idempotency parser": idempotency_parsers,
    "read-only admin": read_only_admins,
}


def copies(path: Path, code: str | None = None) -> list[str]:
    tree = ast.parse(code if code is not None else path.read_text())
    imports = _imports(tree)
    return [f"{path.relative_to(ROOT) if path.is_absolute() else path}:{line}: {kind}: {what}"
            for kind, check in CHECKS.items() for line, what in check(tree, imports)]


# Copies still waiting for their package to adopt the kernel: {source file: kinds}. A copy listed here is
# tolerated (and reported by test_pending_copies_still_exist until it is gone); a copy anywhere else fails.
# Shrink it, never grow it.
PENDING = {
}


def _pending(finding: str) -> bool:
    path, _line, kind, _what = finding.split(":", 3)
    return kind.strip() in PENDING.get(path, set())


@pytest.mark.parametrize("name", sorted(components()))
def test_no_local_copy_of_the_kernel(name):
    found = [f for path in sources(components()[name]) for f in copies(path) if not _pending(f)]
    assert not found, "\n".join(found)


def test_pending_copies_still_exist():
    """Every PENDING entry still names a copy. One that no longer does is reported as a skip (the package's
    own change need not edit this file to stay green); remove it from PENDING then."""
    found = {f for top in components().values() for path in sources(top) for f in copies(path)}
    stale = sorted(f"{path}: {kind}" for path, kinds in PENDING.items() for kind in kinds
                   if not any(f.startswith(f"{path}:") and f": {kind}: " in f for f in found))
    if stale:
        pytest.skip("remove from PENDING (no copy left): " + "; ".join(stale))


def test_each_error_code_is_declared_once():
    """One code, one class: a package refining a shared error subclasses it without declaring its code again,
    so one ``except`` catches every refusal with that code."""
    declared: dict[str, list[str]] = {}
    for top in [KERNEL / "src", *components().values()]:
        for path in sources(top):
            relative = str(path.relative_to(ROOT))
            if "error base" in PENDING.get(relative, set()):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef):
                    for code in _class_constants(node, "code"):
                        declared.setdefault(code, []).append(f"{relative}:{node.lineno} {node.name}")
    twice = {code: places for code, places in declared.items() if len(places) > 1}
    assert not twice, "\n".join(f"{code}: {', '.join(places)}" for code, places in sorted(twice.items()))


# --- tests render errors through the kernel's handler ---------------------------------------------------

def test_every_package_test_suite_uses_the_kernel_handler():
    """Each package's tests start from ``package_test_settings`` (the kernel's handler and pagination)
    and none replaces them; no test module writes a handler or pagination of its own."""
    problems = []
    for package in sorted(p for p in PACKAGES.iterdir() if (p / "src").is_dir()):
        settings = package / "tests" / "settings.py"
        if not settings.is_file():
            problems.append(f"{package.name}: no tests/settings.py")
            continue
        tree = ast.parse(settings.read_text())
        if package != KERNEL and not any(_called_name(c) == "package_test_settings" for c in _calls(tree)):
            problems.append(f"{settings.relative_to(ROOT)}: does not start from package_test_settings")
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "REST_FRAMEWORK"
                                                    for t in node.targets):
                problems.append(f"{settings.relative_to(ROOT)}:{node.lineno}: replaces REST_FRAMEWORK "
                                "(update the kernel's instead)")
        for path in sorted((package / "tests").rglob("*.py")):
            tree = ast.parse(path.read_text())
            imports = _imports(tree)
            problems += [f"{path.relative_to(ROOT)}:{line}: {what}"
                         for check in (exception_handlers, pagination_classes) for line, what in check(tree, imports)]
    assert not problems, "\n".join(problems)


def test_the_site_renders_errors_through_the_kernel_handler():
    tree = ast.parse((SITE / "demo" / "settings" / "base.py").read_text())
    assert [v for _, v in _settings_values(tree, "EXCEPTION_HANDLER")] == [KERNEL_HANDLER]
    assert [v for _, v in _settings_values(tree, "DEFAULT_PAGINATION_CLASS")] == [KERNEL_PAGINATION]


def test_the_kernel_sets_its_handler_for_package_tests():
    testing = KERNEL / "src" / "forecourt_core" / "testing"
    tree = ast.parse((testing / "__init__.py" if testing.is_dir() else testing.with_suffix(".py")).read_text())
    assert [v for _, v in _settings_values(tree, "EXCEPTION_HANDLER")] == [KERNEL_HANDLER]
    assert [v for _, v in _settings_values(tree, "DEFAULT_PAGINATION_CLASS")] == [KERNEL_PAGINATION]


# --- the checks catch what they claim to ----------------------------------------------------------------

CAUGHT = {
    "exception handler": "from rest_framework.views import exception_handler\n"
                         "def api_exception_handler(exc, context):\n    return exception_handler(exc, context)\n",
    "pagination": "from rest_framework.pagination import PageNumberPagination\n"
                  "class Pages(PageNumberPagination):\n    page_size = 50\n",
    "error base": "from rest_framework import exceptions\nclass Locked(exceptions.APIException):\n    status_code = 423\n"
                  "class ShopError(Exception):\n    code = 'shop'\n"
                  "from forecourt_core.errors import InvalidInput\nclass BadMoney(InvalidInput):\n"
                  "    code = 'invalid_amount'\n",
    "generation cache": "import time\ndef bump(cache):\n    try:\n        cache.incr('gen')\n"
                        "    except ValueError:\n        cache.add('gen', time.time_ns())\n",
    "on-commit helper": "from django.db import transaction\ndef send_on_commit(signal, **kw):\n"
                        "    transaction.on_commit(lambda: signal.send(sender=None, **kw))\n"
                        "def settle(order):\n    def after():\n        order_settled.send(sender=None, order=order)\n"
                        "    transaction.on_commit(after)\n"
                        "def _announce(run):\n    run_paid.send(sender=None, run=run)\n"
                        "def pay(run):\n    transaction.on_commit(lambda: _announce(run))\n",
    "settings resolver": "from django.conf import settings\nfrom django.utils.module_loading import import_string\n"
                         "def get(name):\n    return getattr(settings, name, DEFAULTS[name])\n",
    "money rule": "import re\nAMOUNT = re.compile(r'^\\d{1,16}(\\.\\d{1,2})?$')\n"
                  "def clean(value):\n    return value == value.quantize(CENT) and value < Decimal(10) ** 16\n",
    "idempotency parser": "def key(request):\n    return request.headers.get('Idempotency-Key', '').strip()\n",
    "read-only admin": "class Ledger(admin.ModelAdmin):\n    def has_add_permission(self, request):\n        return False\n"
                       "    def has_change_permission(self, request, obj=None):\n        return False\n"
                       "    def has_delete_permission(self, request, obj=None):\n        return False\n",
}


@pytest.mark.parametrize("kind", sorted(CAUGHT))
def test_the_check_catches(kind):
    found = [line for line in copies(Path("example.py"), CAUGHT[kind]) if f": {kind}: " in line]
    assert found, kind


def test_the_check_passes_kernel_users():
    code = ("from forecourt_core.drf import Pagination\nfrom forecourt_core.errors import Conflict\n"
            "from forecourt_core.signals import send_on_commit\nfrom forecourt_core.amounts import parse_amount\n"
            "from forecourt_core.idempotency import parse_idempotency_key\n"
            "class CarSold(Conflict):\n    code = 'car_sold'\n"
            "class _Stop(Exception):\n    pass\n"
            "class View:\n    pagination_class = Pagination\n"
            "    def post(self, request):\n        key = parse_idempotency_key(request.headers)\n"
            "        send_on_commit(sold, sender=None, price=parse_amount(request.data['price']))\n"
            "        hits = cache.incr('sign-in-failures')\n"
            "        return getattr(settings, 'PAGE_SIZE', 20)\n")
    assert copies(Path("example.py"), code) == []
