"""No function, method or closure in packages/ or sites/ is above radon's grade C (cyclomatic
complexity 20): past that, split it into helpers whose names say what each part does."""
from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parent.parent
WORST_GRADE = "C"
SKIPPED_DIRS = {".venv", "node_modules", "__pycache__", "var", "build", "dist"}


def sources() -> list[Path]:
    found = []
    for top in (ROOT / "packages", ROOT / "sites"):
        for path in sorted(top.rglob("*.py")):
            if not SKIPPED_DIRS.intersection(path.relative_to(top).parts):
                found.append(path)
    return found


def blocks(code: str):
    """Every function, method and nested function or method radon finds, with its qualified name."""
    # Methods are listed both on their own and under their class: start from the class only.
    pending = [(block, "") for block in cc_visit(code) if not getattr(block, "is_method", False)]
    while pending:
        block, prefix = pending.pop()
        name = f"{prefix}{block.name}"
        yield name, block
        children = [*getattr(block, "methods", ()), *getattr(block, "closures", ()),
                    *getattr(block, "inner_classes", ())]
        pending.extend((child, f"{name}.") for child in children)


def too_complex(code: str) -> list[str]:
    return [f"{name}:{block.lineno} grade {cc_rank(block.complexity)} ({block.complexity})"
            for name, block in blocks(code) if cc_rank(block.complexity) > WORST_GRADE]


def test_no_function_above_grade_c():
    offenders = [f"{path.relative_to(ROOT)}: {found}" for path in sources() for found in too_complex(path.read_text())]
    assert not offenders, "\n".join(offenders)


def test_the_check_sees_methods_and_closures():
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(25))
    flat = "def f(x):\n" + branches
    nested = "class A:\n    def m(self, x):\n        def inner(x):\n" + "".join(
        f"            if x == {n}:\n                return {n}\n" for n in range(25)) + "        return inner(x)\n"
    assert [o.split(":")[0] for o in too_complex(flat)] == ["f"]
    assert [o.split(":")[0] for o in too_complex(nested)] == ["A.m.inner"]
    assert too_complex("def g(x):\n    return x\n") == []
