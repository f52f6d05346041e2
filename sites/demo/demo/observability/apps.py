from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    """Metrics and logs as an app, so its receivers are connected once the packages' apps are ready."""

    name = "demo.observability"
    label = "observability"

    def ready(self):
        from . import receivers  # noqa: F401  (domain signals counted as metrics)
