from django.urls import include, path

urlpatterns = [path("api/cars/", include("django_car_listing.api.urls"))]
