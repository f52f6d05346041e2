import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from django_notifications import services

pytestmark = pytest.mark.django_db
TEMPLATE = Template("{% load notifications_tags %}{% notifications_bell inbox_url='/inbox/' %}")


def _render(user):
    request = RequestFactory().get("/")
    request.user = user
    return TEMPLATE.render(Context({"request": request}))


def test_bell_shows_the_unread_count(make_user):
    user = make_user()
    for _ in range(2):
        services.notify(recipient=user, kind="k", title="t")
    services.notify(recipient=make_user(), kind="k", title="someone else's")
    html = _render(user)
    assert 'data-count="2"' in html and 'href="/inbox/"' in html
    assert 'data-ws-path="/ws/notifications/"' in html and "django_notifications/bell.js" in html


def test_bell_is_empty_for_anonymous():
    assert _render(AnonymousUser()).strip() == ""
