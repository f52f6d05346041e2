from django.apps import AppConfig


class TradingConfig(AppConfig):
    name = "django_trading"
    label = "trading"
    verbose_name = "Trading"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - registers settlement with the event relay
