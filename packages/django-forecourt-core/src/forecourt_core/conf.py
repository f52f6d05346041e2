"""Package settings in the style of DRF's ``APISettings``: defaults, hooks given as import strings, and a
change of setting seen at once.

Each package declares its settings once in its ``conf.py``::

    from forecourt_core.conf import PackageSettings

    DEFAULTS = {"WALLET_CURRENCY": "USD", "WALLET_PHONE_REGION": None, ...}
    package_settings = PackageSettings(DEFAULTS, hooks={"LEADS_BUSINESS_ACCOUNT": "myapp.hooks.account"})
    get = package_settings.get

- ``get(name)``: the project's setting of that name, else its default (an unknown name is a bug: KeyError);
- ``hook(name)``: a setting naming a callable, given as a dotted path (or the callable itself), imported once;
  ``None`` when neither the project nor ``hooks`` names one;
- values are read from ``django.conf.settings`` on every call, so a changed setting is seen at once (however
  it was changed); imported hooks are cached by their dotted path and dropped whenever Django's
  ``setting_changed`` signal names one of this package's settings.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

_UNSET = object()


class PackageSettings:
    def __init__(self, defaults: dict[str, Any], *, hooks: dict[str, str | None] | None = None):
        self.defaults = dict(defaults)
        self.hook_defaults = dict(hooks or {})
        self._cache: dict[str, Any] = {}
        setting_changed.connect(self._on_setting_changed, weak=False)

    def get(self, name: str) -> Any:
        default = self.defaults[name] if name in self.defaults else self.hook_defaults[name]
        return getattr(settings, name, default)

    def hook(self, name: str) -> Callable[..., Any] | None:
        """The callable a hook setting names (a dotted path or the callable itself), or None."""
        value = self.get(name) or self.hook_defaults.get(name)
        if not isinstance(value, str):
            return value
        found = self._cache.get(value, _UNSET)
        if found is _UNSET:
            found = self._cache[value] = import_string(value)
        return found

    def reload(self) -> None:
        self._cache.clear()

    def _on_setting_changed(self, *, setting: str, **kwargs) -> None:
        if setting in self.defaults or setting in self.hook_defaults:
            self.reload()
