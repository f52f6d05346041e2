"""URLs of the car_listing API; include under /api/ with namespace "car_listing"."""

app_name = "car_listing"

urlpatterns: list = []
