from django.urls import include, path

urlpatterns = [path("api/leads/", include("django_leads.api.urls"))]
