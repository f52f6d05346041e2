"""E-mail backends for tests: locmem works across the in-process worker thread."""
import time

from django.core.mail.backends.locmem import EmailBackend


class SlowEmailBackend(EmailBackend):
    """Takes a while, so two concurrent deliveries of one row really overlap."""

    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)


class BrokenEmailBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")
