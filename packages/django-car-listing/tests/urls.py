from django.urls import include, path

urlpatterns = [path("api/", include("django_car_listing.api.urls"))]
