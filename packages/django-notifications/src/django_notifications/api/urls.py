"""URLs of the notifications API; the site includes them at /api/notifications/ (namespace "notifications")."""
from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListApi.as_view(), name="list"),
    path("unread-count/", views.UnreadCountApi.as_view(), name="unread-count"),
    path("<int:pk>/read/", views.MarkReadApi.as_view(), name="mark-read"),
    path("read-all/", views.MarkAllReadApi.as_view(), name="mark-all-read"),
    path("preferences/", views.PreferencesApi.as_view(), name="preferences"),
]
