from django.apps import AppConfig


class CarListingConfig(AppConfig):
    name = "django_car_listing"
    label = "car_listing"
    verbose_name = "Car listing"
    default_auto_field = "django.db.models.BigAutoField"
