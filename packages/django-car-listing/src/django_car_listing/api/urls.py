"""URLs of the car_listing API. The site includes them under /api/cars/ with namespace "car_listing"
(route names: car_listing:car-list, car_listing:car-detail, car_listing:car-buy, ...)."""
from rest_framework.routers import SimpleRouter

from .views import CarViewSet

app_name = "car_listing"

router = SimpleRouter()
router.register("", CarViewSet, basename="car")
urlpatterns = router.urls
