"""What a package README tells a user to put in settings.py and urls.py.

Convention (documented in each package README's install section):
- settings: the first ```python block containing ``INSTALLED_APPS``. The string items of its
  ``INSTALLED_APPS = [...]`` / ``+= [...]`` list are the apps to add (``...`` stands for the
  project's own apps); every other UPPER_CASE assignment with a literal value (for example
  ``CHANNEL_LAYERS``) is copied into settings.py verbatim.
- urls: the first ```python block containing ``urlpatterns`` or ``path(``; every
  ``path("<prefix>", include("<module>"))`` in it is mounted.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


@dataclass
class Snippet:
    apps: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)  # source lines, e.g. 'CHANNEL_LAYERS = {...}'
    routes: list[tuple[str, str]] = field(default_factory=list)  # (prefix, urls module)


def _first(blocks: list[str], *needles: str) -> str:
    for block in blocks:
        if any(n in block for n in needles):
            return block
    raise AssertionError(f"README has no ```python block containing {' or '.join(needles)}")


def parse(readme: str) -> Snippet:
    blocks = BLOCK.findall(readme)
    snippet = Snippet()
    settings_src = _first(blocks, "INSTALLED_APPS")
    tree = ast.parse(settings_src)  # a README snippet that is not valid Python fails here
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if names == ["INSTALLED_APPS"]:
                assert isinstance(node.value, ast.List), "INSTALLED_APPS must be a list literal"
                snippet.apps += [e.value for e in node.value.elts
                                 if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            elif names and all(n.isupper() for n in names) and isinstance(node, ast.Assign):
                ast.literal_eval(node.value)  # settings copied verbatim must be plain literals
                snippet.settings.append(ast.get_source_segment(settings_src, node))
    assert snippet.apps, "the INSTALLED_APPS snippet names no app"

    urls_src = _first(blocks, "urlpatterns", "path(")
    for node in ast.walk(ast.parse(urls_src)):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "path" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Call) and getattr(node.args[1].func, "id", None) == "include"):
            prefix, module = node.args[0], node.args[1].args[0]
            snippet.routes.append((ast.literal_eval(prefix), ast.literal_eval(module)))
    assert snippet.routes, "the urls snippet mounts nothing with path(..., include(...))"
    return snippet
