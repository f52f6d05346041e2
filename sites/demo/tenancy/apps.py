from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from demo.glue import wiring  # noqa: F401  (cross-package signal receivers)
