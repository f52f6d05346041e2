from django.apps import AppConfig


class TradingConfig(AppConfig):
    name = "django_trading"
    label = "trading"
    verbose_name = "Trading"
    default_auto_field = "django.db.models.BigAutoField"
