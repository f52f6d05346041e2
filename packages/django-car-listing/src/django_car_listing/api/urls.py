"""URLs of the car_listing API. The site includes them under /api/cars/ with namespace "car_listing"
(route names: car_listing:car-list, car_listing:car-detail, car_listing:car-buy, ..., car_listing:facets)."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .facets import MarketplaceFacetsApi
from .views import CarViewSet

app_name = "car_listing"

router = SimpleRouter()
router.register("", CarViewSet, basename="car")
urlpatterns = [path("facets/", MarketplaceFacetsApi.as_view(), name="facets"), *router.urls]
