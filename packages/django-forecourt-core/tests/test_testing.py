"""The test support every package's suite runs on: its user model, its e-mail setting, its helpers."""
import warnings

import django
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from forecourt_core.testing import package_test_settings
from forecourt_core.testing.helpers import grant, use_email_backend, wait_for


class CountingBackend(EmailBackend):
    sent = 0

    def send_messages(self, messages):
        CountingBackend.sent += len(messages)
        return super().send_messages(messages)


def test_the_user_model_is_the_kernels_test_user():
    assert get_user_model()._meta.label == "testapp.User"


def test_settings_name_the_mail_backend_without_a_deprecated_setting():
    settings = package_test_settings("x", apps=[], redis_db=0)
    if django.VERSION >= (6, 1):
        assert "EMAIL_BACKEND" not in settings
        assert settings["MAILERS"]["default"]["BACKEND"].endswith("locmem.EmailBackend")
    else:
        assert settings["EMAIL_BACKEND"].endswith("locmem.EmailBackend")


def test_a_test_sends_mail_through_the_backend_it_names(settings):
    use_email_backend(settings, "tests.test_testing.CountingBackend")
    before = CountingBackend.sent
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecated e-mail setting is read on any supported Django
        mail.send_mail("subject", "body", "from@example.com", ["to@example.com"])
    assert CountingBackend.sent == before + 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_grant_gives_permissions_the_same_user_object_sees_at_once():
    user = get_user_model().objects.create_user("clerk")
    assert not user.has_perm("auth.view_group")
    assert grant(user, "auth.view_group") is user and user.has_perm("auth.view_group")


def test_wait_for_returns_the_first_truthy_answer_and_fails_after_its_timeout():
    answers = iter([None, 0, "done"])
    assert wait_for(lambda: next(answers), timeout=5, interval=0) == "done"
    with pytest.raises(AssertionError, match="not met"):
        wait_for(lambda: False, timeout=0.05, interval=0.01)
