from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "django_wallet"
    label = "wallet"
    verbose_name = "Wallet"
    default_auto_field = "django.db.models.BigAutoField"
