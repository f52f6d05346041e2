from django.urls import include, path

urlpatterns = [path("api/", include("django_books.api.urls"))]
