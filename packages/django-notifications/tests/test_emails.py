"""E-mails from the templates of their kind, sent with a plain-text body and an HTML alternative."""
import pytest
from django.core import mail

from django_notifications import services
from tests.conftest import deliveries, relay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def email_only(settings):
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["inbox", "email"]}


def test_a_kind_with_templates_is_sent_from_them_as_text_and_html(make_user, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=False):
        services.notify(recipient=user, kind="greeting", title="unused title", data={"who": "Ann"},
                        link="https://example.com/x/")
    assert relay() == 1
    [message] = mail.outbox
    assert message.subject == "Ann says hello"
    assert message.extra_headers["Message-ID"] == f"<{deliveries('email')[0].id}@example.com>"  # the event's id
    assert message.body == f"Ann & co. wave at {user.username}.\n\nhttps://example.com/x/\n"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and '<a href="https://example.com/x/">' in html and "Ann &amp; co." in html


def test_a_kind_without_templates_is_its_title_body_and_link(make_user, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=False):
        services.notify(recipient=user, kind="other", title="Plain", body="Text", link="/x/")
    assert relay() == 1
    [message] = mail.outbox
    assert (message.subject, message.body, message.alternatives) == ("Plain", "Text\n\n/x/", [])
