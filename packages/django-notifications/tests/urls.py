from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("admin/", admin.site.urls), path("api/notifications/", include("django_notifications.api.urls"))]
