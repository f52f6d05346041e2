"""Pytest fixtures every package's tests share.

A package's ``tests/conftest.py``::

    pytest_plugins = ["forecourt_core.testing.fixtures"]

gives the fixtures ``make_user`` and ``client_for`` (plain helpers: ``forecourt_core.testing.helpers``).
A conftest may still define a fixture of the same name for what its package needs on top.
"""
from __future__ import annotations

import itertools

import pytest

from .helpers import grant

_usernames = itertools.count(1)


@pytest.fixture
def make_user(django_user_model):
    """``make_user(*perms, **fields)``: a new user (``user<n>`` unless ``username`` is given) with ``perms``."""

    def make(*perms: str, **fields):
        fields.setdefault("username", f"user{next(_usernames)}")
        return grant(django_user_model.objects.create_user(**fields), *perms)

    return make


@pytest.fixture
def client_for():
    """``client_for(user)``: a DRF test client signed in as ``user`` (anonymous for ``None``)."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
