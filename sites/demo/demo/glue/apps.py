from django.apps import AppConfig


class GlueConfig(AppConfig):
    """The site's glue as an app, so its receivers are connected once the packages' apps are ready."""

    name = "demo.glue"
    label = "glue"

    def ready(self):
        from . import wiring  # noqa: F401  (connects the cross-package receivers)
