from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "django_notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import delivery  # noqa: F401 - registers the e-mail and push handlers with the event relay
