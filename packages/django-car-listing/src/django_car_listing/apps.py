from django.apps import AppConfig


class CarListingConfig(AppConfig):
    name = "django_car_listing"
    label = "car_listing"
    verbose_name = "Car listing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - registers the bought car's indexing with the event relay
