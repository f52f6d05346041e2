from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "django_wallet"
    label = "wallet"
    verbose_name = "Wallet"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the Celery tasks by name)
