"""Support for Django 4.2 next to 5.1+.

Django 5.1 renamed ``CheckConstraint(check=)`` to ``condition=`` (and 6.0 removed ``check=``);
models and migrations build their check constraints here so one source runs on both.
"""

import django
from django.db import models
from django.db.models import Q

_KEYWORD = "condition" if django.VERSION >= (5, 1) else "check"


def check_constraint(condition: Q, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(**{_KEYWORD: condition}, name=name)
